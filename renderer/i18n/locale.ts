/**
 * The session's formatting context: catalogue id (lang), the BCP 47 locale used with Intl, and the configured
 * currency. The configured locale is used when its language is the session language (en-GB keeps its region);
 * otherwise the session language alone (zh gives Simplified Chinese formatting).
 */
import type { ScreenModel } from '../../main/common/contract';

export interface LocaleContext {
  lang: string;
  locale: string;
  currency: string;
}

const DEFAULT_LOCALE: Record<string, string> = { en: 'en-US', zh: 'zh-CN' };

export function localeContext(m: Pick<ScreenModel, 'lang' | 'locale' | 'currency'>): LocaleContext {
  const configuredLang = m.locale.split('-')[0]?.toLowerCase();
  const locale = configuredLang === m.lang ? m.locale : (DEFAULT_LOCALE[m.lang] ?? m.lang);
  return { lang: m.lang, locale, currency: m.currency };
}

#!/bin/bash
# deb post-install (electron-builder template: ${executable} and ${sanitizedProductName} are substituted).
# What electron-builder's default does (command link, chrome-sandbox mode), plus the kiosk's auto-start files.

if type update-alternatives >/dev/null 2>&1; then
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Auto-start: XDG autostart entry for every graphical login, the systemd user unit (not enabled), and the
# configuration examples. Existing configuration is never overwritten.
install -D -m644 '/opt/${sanitizedProductName}/linux/atm-kiosk.desktop' /etc/xdg/autostart/atm-kiosk.desktop || true
install -D -m644 '/opt/${sanitizedProductName}/linux/atm-kiosk-ui.service' /usr/lib/systemd/user/atm-kiosk-ui.service || true
install -d -m755 /etc/atm-kiosk || true
install -D -m644 '/opt/${sanitizedProductName}/linux/atm.config.hardware.example.json' /etc/atm-kiosk/atm.config.hardware.example.json || true

#!/bin/bash
# deb post-remove: undo after-install.sh (configuration in /etc/atm-kiosk and data are kept).
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/usr/bin/${executable}' || true
else
    rm -f '/usr/bin/${executable}'
fi
rm -f /etc/xdg/autostart/atm-kiosk.desktop /usr/lib/systemd/user/atm-kiosk-ui.service

#!/bin/sh
# Builds the .deb from a configured and built tree, installs it with apt the way a user
# would (`apt install ./eventlens_*.deb`: apt resolves the dependencies dpkg-shlibdeps wrote),
# checks that both programs run from /usr/bin, and removes it again.
#   packaging/test-deb.sh [BUILD_DIR]      (default: build/release)
set -eu
build=${1:-build/release}
cd "$build"
rm -f eventlens_*.deb
cpack -G DEB
deb=$(ls eventlens_*.deb)
echo "== $deb"
dpkg-deb --field "$deb" Package Version Depends
apt-get install -y "./$deb"
trap 'apt-get remove -y eventlens >/dev/null' EXIT
test "$(command -v eventlens)" = /usr/bin/eventlens
# --version answers without a display.
env -u DISPLAY -u WAYLAND_DISPLAY eventlens --version
eventlens-cli --version
# The installed app finds Graphviz's dot plugin through its RUNPATH.
readelf -d /usr/bin/eventlens | grep -q 'RUNPATH.*graphviz'
test -f /usr/share/applications/io.github.eventlens.EventLens.desktop
test -f /usr/share/metainfo/io.github.eventlens.EventLens.metainfo.xml
test -f /usr/share/icons/hicolor/48x48/apps/io.github.eventlens.EventLens.png
test -f /usr/share/icons/hicolor/scalable/apps/io.github.eventlens.EventLens.svg
echo "== $deb installs and runs"

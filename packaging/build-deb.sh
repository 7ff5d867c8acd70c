#!/usr/bin/env bash
# Builds the Debian package: packaging/build-deb.sh [-o DIR] VERSION [ARCH]
#   VERSION  the package version (Debian syntax: 1.2.0, 1.2.0-1, 1.3.0~rc1)
#   ARCH     amd64 (default) or arm64
#   -o DIR   where to write logagent_VERSION_ARCH.deb (default packaging/out/, or $LOGAGENT_DEB_OUT)
# Plain dpkg-deb, no debhelper: the control file, conffiles and md5sums that dh_* would generate are written here.
# Prints the path of the package on its last line.
set -euo pipefail

usage() { echo "usage: $0 [-o DIR] VERSION [amd64|arm64]" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${LOGAGENT_DEB_OUT:-$here/out}
while getopts "o:h" opt; do
    case "$opt" in
        o) out=$OPTARG ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
version=$1
arch=${2:-amd64}

# Debian policy 5.6.12: upstream version starts with a digit; letters, digits, . + ~ and - (revision) follow.
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "build-deb.sh: '$version' is not a Debian version" >&2; exit 2; }
case "$arch" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    *) echo "build-deb.sh: architecture '$arch' is not amd64 or arm64" >&2; exit 2 ;;
esac
for tool in dotnet dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is missing (dpkg-deb: apt-get install dpkg)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/logagent-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
publish=$work/publish
root=$work/root

# The single-file, self-contained, ReadyToRun executable (src/LogAgent/LogAgent.csproj makes one whenever a runtime
# identifier is given) and the plugins, which the agent's build copies into publish/plugins/NAME/. The plugin projects
# are project references of the agent, so the publish's own restore reaches them on a fresh clone.
dotnet publish "$repo/src/LogAgent/LogAgent.csproj" --nologo -v quiet -c Release -r "$rid" -o "$publish"

# The file tree, as installed.
install -d -m 0755 "$root/opt/logagent/bin" "$root/opt/logagent/plugins" "$root/usr/bin" \
    "$root/etc/logagent/conf.d" "$root/var/lib/logagent" "$root/var/log/logagent" "$root/usr/share/doc/logagent"
install -m 0755 "$publish/logagent" "$root/opt/logagent/bin/logagent"
# Only the Kinesis plugin: the Example plugin is a template for plugin authors, not something to run.
kinesis=LogAgent.Plugins.Kinesis
[ -f "$publish/plugins/$kinesis/$kinesis.dll" ] || { echo "build-deb.sh: publishing made no $kinesis plugin" >&2; exit 1; }
cp -r "$publish/plugins/$kinesis" "$root/opt/logagent/plugins/$kinesis"
find "$root/opt/logagent/plugins" -name '*.pdb' -delete
# Debian policy 10.5: a link from one top-level directory into another is absolute.
ln -s /opt/logagent/bin/logagent "$root/usr/bin/logagent"
cp -r "$here/root/." "$root/"
for doc in migrating-from-td-agent.md configuration.md kinesis.md; do
    install -m 0644 "$repo/docs/$doc" "$root/usr/share/doc/logagent/$doc"
done
# Modes do not depend on the umask or on git: directories and executables 0755, everything else 0644.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/opt/logagent/bin/logagent"

# DEBIAN/: control, maintainer scripts, conffiles (every file under /etc: dpkg keeps an operator's edits on upgrade
# and asks before replacing them; dh_installdeb would list them itself), md5sums (without the conffiles, as
# dh_md5sums: dpkg keeps their checksums itself).
install -d -m 0755 "$root/DEBIAN"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    "$here/debian/control.in" > "$root/DEBIAN/control"
for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$root/DEBIAN/$script"
done
(cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\n' | sort \
    | xargs -d '\n' md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

# --root-owner-group: every file root:root without fakeroot (what dh_builddeb passes). xz, as fluent-package
# builds (its rules: aptly, a common repository server, reads no zstd).
mkdir -p "$out"
deb=$(cd "$out" && pwd)/logagent_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"

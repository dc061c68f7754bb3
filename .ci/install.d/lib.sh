# Helpers for .ci/install.d scripts (sourced, not run).
# apt_install PKG...: install the Debian packages not yet installed.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install.d: cannot install ${missing[*]} (no apt-get)" >&2
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}
# npm_install DIR PKG@VERSION...: pinned npm packages into $PROMPTGUARD_CI_TOOLS/DIR.
npm_install() {
    local dir="$PROMPTGUARD_CI_TOOLS/$1"; shift
    local stamp="$dir/.installed-$(echo "$*" | tr ' /@' '_._')"
    [ -e "$stamp" ] && return 0
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null)
    touch "$stamp"
}

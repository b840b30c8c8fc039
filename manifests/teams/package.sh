#!/usr/bin/env bash
# Build the Microsoft Teams app package for frontdesk.
#
#   TEAMS_APP_ID=<Azure Bot app id> manifests/teams/package.sh [OUTPUT_DIR]
#
# Environment:
#   TEAMS_APP_ID       required. The Azure Bot's Microsoft App ID (a GUID);
#                      replaces {{TEAMS_APP_ID}} in the botId of the bot and
#                      of the message extension.
#   TEAMS_APP_GUID     optional. The Teams app's own id (a GUID); replaces the
#                      all-zero "id". Defaults to TEAMS_APP_ID. Keep it the
#                      same across releases so uploads update the same app.
#   TEAMS_APP_VERSION  optional. Semantic version for "version"; raise it for
#                      each upload that changes the package.
#
# Writes OUTPUT_DIR/frontdesk-teams.zip (default: the current directory)
# holding manifest.json, color.png and outline.png at the top level.
# Needs only bash and python3 (no zip binary).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="${1:-.}"

if [[ -z "${TEAMS_APP_ID:-}" ]]; then
    echo "package.sh: TEAMS_APP_ID is not set; set it to the Azure Bot's Microsoft App ID (a GUID)" >&2
    exit 2
fi

mkdir -p "$out_dir"
out="$(cd "$out_dir" && pwd)/frontdesk-teams.zip"

python3 - "$here" "$out" <<'PY'
import json, os, re, sys, zipfile

here, out = sys.argv[1], sys.argv[2]
guid = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
semver = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")

def fail(msg):
    print(f"package.sh: {msg}", file=sys.stderr)
    sys.exit(2)

bot_id = os.environ["TEAMS_APP_ID"].strip()
app_guid = os.environ.get("TEAMS_APP_GUID", "").strip() or bot_id
version = os.environ.get("TEAMS_APP_VERSION", "").strip()

if not guid.match(bot_id):
    fail(f"TEAMS_APP_ID {bot_id!r} is not a GUID")
if not guid.match(app_guid):
    fail(f"TEAMS_APP_GUID {app_guid!r} is not a GUID")
if version and not semver.match(version):
    fail(f"TEAMS_APP_VERSION {version!r} is not MAJOR.MINOR.PATCH")

with open(os.path.join(here, "manifest.json"), encoding="utf-8") as f:
    manifest = json.load(f)

manifest["id"] = app_guid.lower()
if version:
    manifest["version"] = version
# The bot and the message extension are the same Azure Bot.
for part in manifest.get("bots", []) + manifest.get("composeExtensions", []):
    if part.get("botId") == "{{TEAMS_APP_ID}}":
        part["botId"] = bot_id.lower()

text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
if "{{" in text:
    fail("manifest.json still holds a {{...}} placeholder after substitution")

icons = [manifest["icons"]["color"], manifest["icons"]["outline"]]
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("manifest.json", text)
    for icon in icons:
        z.write(os.path.join(here, icon), arcname=icon)
os.replace(tmp, out)
print(f"wrote {out} (app id {manifest['id']}, bot id {bot_id.lower()}, version {manifest['version']})")
PY

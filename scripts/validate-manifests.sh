#!/usr/bin/env bash
# Validate frontdesk's deployment files and app manifests, offline.
#
#   scripts/validate-manifests.sh
#
# Checks:
#   Kubernetes  every YAML in deploy/kubernetes against the Kubernetes JSON
#               schema (strict: unknown fields are errors), plus the links
#               between the objects and the embedded frontdesk.toml
#   Slack       manifests/slack/manifest.yml: keys, scopes, events, URLs
#               manifests/slack/manifest.socket.yml: the same app in Socket Mode
#   Teams       manifests/teams/manifest.json: v1.22 rules, bot, icons
#   package     manifests/teams/package.sh builds a correct zip
#   Docker      deploy/Dockerfile and .dockerignore have the expected shape
#   systemd     deploy/systemd/frontdesk.service directives
#               (plus `systemd-analyze verify` when that is available)
#
# Installs its Python tools from PyPI when they are missing. Prints one line
# per check and exits non-zero if any check failed.
#
# Environment:
#   K8S_VERSION  Kubernetes version to validate against (default 1.33.0)
#   PYTHON       Python interpreter (default python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
K8S_VERSION="${K8S_VERSION:-1.33.0}"
# kubernetes-validate ships the Kubernetes JSON schemas (1.25 to 1.37) in its
# wheel, so validation needs no network once it is installed.
KUBERNETES_VALIDATE_VERSION="1.37.0"

export ROOT K8S_VERSION

# --------------------------------------------------------------------------
# (a) tools
# --------------------------------------------------------------------------
pip_install() {
    local out
    if out="$("$PYTHON" -m pip install --quiet "$@" 2>&1)"; then
        return 0
    fi
    if grep -q "externally-managed-environment" <<<"$out"; then
        "$PYTHON" -m pip install --quiet --break-system-packages "$@"
        return
    fi
    printf '%s\n' "$out" >&2
    return 1
}

if ! "$PYTHON" - "$KUBERNETES_VALIDATE_VERSION" <<'PY' 2>/dev/null; then
import sys
import jsonschema, yaml  # noqa: F401
import kubernetes_validate
sys.exit(0 if kubernetes_validate.__version__ == sys.argv[1] else 1)
PY
    echo "installing kubernetes-validate==$KUBERNETES_VALIDATE_VERSION, pyyaml, jsonschema from PyPI"
    pip_install "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" pyyaml jsonschema
fi

# --------------------------------------------------------------------------
# helpers shared by every Python section
# --------------------------------------------------------------------------
read -r -d '' PRELUDE <<'PY' || true
import json, os, re, struct, subprocess, sys, zlib
import yaml

ROOT = os.environ["ROOT"]
FAILED = 0

def rel(path):
    return os.path.relpath(path, ROOT)

def ok(area, msg):
    print(f"ok   {area:<10} {msg}")

def fail(area, msg):
    global FAILED
    FAILED += 1
    print(f"FAIL {area:<10} {msg}")

def check(area, cond, msg, detail=""):
    if cond:
        ok(area, msg)
    else:
        fail(area, msg + (f": {detail}" if detail else ""))
    return cond

class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML keeps the last)."""

def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)

StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

def load_yaml_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=StrictLoader) if d is not None]

def dig(obj, *keys, default=None):
    for k in keys:
        if isinstance(obj, dict) and k in obj:
            obj = obj[k]
        elif isinstance(obj, list) and isinstance(k, int) and -len(obj) <= k < len(obj):
            obj = obj[k]
        else:
            return default
    return obj

def read_png(path):
    """Decode an 8-bit PNG (grey, grey+alpha, RGB, RGBA; no interlace).
    Returns (width, height, channels, rows of bytes); raises ValueError."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (bad signature)")
    pos, ihdr, idat = 8, None, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"bad CRC in {kind!r} chunk")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if ihdr is None:
        raise ValueError("no IHDR chunk")
    w, h, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    raw = zlib.decompress(idat)
    stride = w * channels
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ft == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ft == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
            elif ft != 0:
                raise ValueError(f"bad filter type {ft}")
        rows.append(bytes(line))
        prev = line
    return w, h, channels, rows
PY

LOG="$(mktemp)"
WORK="$(mktemp -d)"
trap 'rm -rf "$LOG" "$WORK"' EXIT
export WORK

# Run one Python section (source on stdin); its lines go to the log too.
section() {
    local title="$1"
    echo "== $title"
    local src out rc=0
    src="$(cat)"
    out="$WORK/section.log"
    "$PYTHON" -c "$PRELUDE
$src
sys.exit(1 if FAILED else 0)" >"$out" 2>&1 || rc=$?
    cat "$out"
    cat "$out" >>"$LOG"
    if [[ $rc -ne 0 ]] && ! grep -q '^FAIL ' "$out"; then
        # a crash rather than a failed check: still counts as a failure
        echo "FAIL section   '$title' exited with status $rc" | tee -a "$LOG"
    fi
    return 0
}

# --------------------------------------------------------------------------
# (b) Kubernetes
# --------------------------------------------------------------------------
section "Kubernetes manifests (deploy/kubernetes, schema $K8S_VERSION, strict)" <<'PY'
import glob, tomllib
import kubernetes_validate as kv

area = "k8s"
version = os.environ["K8S_VERSION"]
kdir = os.path.join(ROOT, "deploy", "kubernetes")
files = sorted(glob.glob(os.path.join(kdir, "*.yaml")) + glob.glob(os.path.join(kdir, "*.yml")))
check(area, len(files) > 0, f"found {len(files)} YAML files in {rel(kdir)}")

objects = {}        # (kind, name) -> object
kustomizations = []
for path in files:
    try:
        docs = load_yaml_all(path)
    except yaml.YAMLError as e:
        fail(area, f"{rel(path)}: YAML does not parse: {e}")
        continue
    if not docs:
        fail(area, f"{rel(path)}: no YAML documents")
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            fail(area, f"{rel(path)}: document without apiVersion/kind")
            continue
        if doc["kind"] == "Kustomization":
            kustomizations.append((path, doc))
            ok(area, f"{rel(path)}: Kustomization parses")
            continue
        name = dig(doc, "metadata", "name", default="?")
        label = f"{rel(path)}: {doc['kind']}/{name}"
        try:
            got = kv.validate(doc, version, strict=True)
            ok(area, f"{label} valid against Kubernetes {got} (strict)")
        except kv.ValidationError as e:
            path_s = ".".join(str(p) for p in e.path)
            fail(area, f"{label} invalid at {path_s or '(root)'}: {e.message}")
        except kv.SchemaNotFoundError as e:
            fail(area, f"{label}: no schema for apiVersion {doc['apiVersion']} kind {doc['kind']}")
        except Exception as e:  # noqa: BLE001
            fail(area, f"{label}: could not validate: {e}")
        objects[(doc["kind"], name)] = (path, doc)

# kustomization: lists every resource file except the secret example
check(area, len(kustomizations) == 1, "exactly one kustomization.yaml")
for path, k in kustomizations:
    res = k.get("resources") or []
    check(area, k.get("apiVersion") == "kustomize.config.k8s.io/v1beta1",
          f"{rel(path)}: apiVersion kustomize.config.k8s.io/v1beta1")
    missing = [r for r in res if not os.path.isfile(os.path.join(kdir, r))]
    check(area, not missing, f"{rel(path)}: every listed resource exists", f"missing {missing}")
    check(area, not any("secret" in r for r in res),
          f"{rel(path)}: does not list the secret example", f"resources {res}")
    expected = sorted(os.path.basename(p) for p in files
                      if os.path.basename(p) not in ("kustomization.yaml", "kustomization.yml")
                      and ".example." not in os.path.basename(p))
    check(area, sorted(res) == expected, f"{rel(path)}: lists {', '.join(expected)}", f"got {res}")

# links between the objects
sts = next((d for (kind, _), (_, d) in objects.items() if kind == "StatefulSet"), None)
svc = next((d for (kind, _), (_, d) in objects.items() if kind == "Service"), None)
cm = next((d for (kind, _), (_, d) in objects.items() if kind == "ConfigMap"), None)
secret = next((d for (kind, _), (_, d) in objects.items() if kind == "Secret"), None)
if check(area, all(x is not None for x in (sts, svc, cm, secret)),
         "StatefulSet, Service, ConfigMap and Secret example present"):
    spec = sts["spec"]
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    check(area, spec.get("replicas") == 1, "StatefulSet has exactly 1 replica (single-writer store)",
          f"replicas={spec.get('replicas')}")
    check(area, spec.get("serviceName") == svc["metadata"]["name"], "StatefulSet serviceName names the Service")
    sel = svc["spec"].get("selector", {})
    labels = spec["template"]["metadata"].get("labels", {})
    check(area, sel and all(labels.get(k) == v for k, v in sel.items()), "Service selector matches the pod labels")
    port_names = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    check(area, port_names.get("http") == 3000, "container port 3000 is named http")
    check(area, any(p.get("port") == 80 and p.get("targetPort") == "http" for p in svc["spec"]["ports"]),
          "Service port 80 targets http")
    check(area, c.get("args") == ["serve", "--config", "/etc/frontdesk/frontdesk.toml"], "container args")
    env = {e["name"]: e for e in c.get("env", [])}
    check(area, dig(env, "FRONTDESK_DATA_DIR", "value") == "/var/lib/frontdesk", "FRONTDESK_DATA_DIR")
    check(area, dig(env, "FRONTDESK_LISTEN", "value") == "0.0.0.0:3000", "FRONTDESK_LISTEN")
    secret_keys = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
    for var, optional in [("SLACK_SIGNING_SECRET", False), ("SLACK_BOT_TOKEN", False),
                          ("TEAMS_APP_ID", True), ("TEAMS_APP_PASSWORD", True)]:
        ref = dig(env, var, "valueFrom", "secretKeyRef", default={})
        check(area, ref.get("name") == secret["metadata"]["name"] and ref.get("key") in secret_keys
              and bool(ref.get("optional", False)) == optional,
              f"{var} from Secret {secret['metadata']['name']} (optional: {str(optional).lower()})", f"got {ref}")
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    vct = {t["metadata"]["name"]: t for t in spec.get("volumeClaimTemplates", [])}
    check(area, dig(mounts, "data", "mountPath") == "/var/lib/frontdesk" and "data" in vct
          and dig(vct, "data", "spec", "resources", "requests", "storage") == "1Gi"
          and dig(vct, "data", "spec", "accessModes") == ["ReadWriteOnce"],
          "data volume claim 1Gi ReadWriteOnce at /var/lib/frontdesk")
    check(area, dig(mounts, "config", "mountPath") == "/etc/frontdesk"
          and dig(vols, "config", "configMap", "name") == cm["metadata"]["name"],
          "ConfigMap mounted at /etc/frontdesk")
    check(area, dig(c, "livenessProbe", "httpGet", "path") == "/healthz"
          and dig(c, "readinessProbe", "httpGet", "path") == "/readyz", "probes /healthz and /readyz")
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(area, psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001 and psc.get("fsGroup") == 10001
          and csc.get("readOnlyRootFilesystem") is True and csc.get("allowPrivilegeEscalation") is False
          and dig(csc, "capabilities", "drop") == ["ALL"], "security context (non-root 10001, read-only, no caps)")
    check(area, pod.get("terminationGracePeriodSeconds") == 30, "terminationGracePeriodSeconds 30")
    check(area, dig(c, "resources", "requests") and dig(c, "resources", "limits"), "resource requests and limits")

    # the embedded frontdesk.toml
    toml_text = dig(cm, "data", "frontdesk.toml")
    try:
        conf = tomllib.loads(toml_text or "")
        ok(area, "ConfigMap frontdesk.toml is valid TOML")
    except tomllib.TOMLDecodeError as e:
        conf = None
        fail(area, f"ConfigMap frontdesk.toml is not valid TOML: {e}")
    if conf is not None:
        check(area, dig(conf, "server", "listen") == "0.0.0.0:3000"
              and dig(conf, "server", "data_dir") == "/var/lib/frontdesk", "frontdesk.toml [server]")
        deps = conf.get("departments") or []
        need = {"id": str, "name": str, "prefix": str, "slack_channel": str, "keywords": list,
                "first_response_sla": str, "remind_every": str}
        good = bool(deps) and all(isinstance(d.get(k), t) for d in deps for k, t in need.items())
        dur = re.compile(r"^\s*\d+\s*[a-zA-Z]+(\s*\d+\s*[a-zA-Z]+)*\s*$")  # humantime, e.g. 4h, 2days, 1h 30m
        good = good and all(dur.match(d["first_response_sla"]) and dur.match(d["remind_every"]) for d in deps)
        check(area, good, f"frontdesk.toml has {len(deps)} department(s) with the required keys")
        fields = [f for d in deps for f in d.get("fields", [])]
        check(area, all(isinstance(f.get("id"), str) and isinstance(f.get("prompt"), str)
                        and f.get("kind") in ("text", "choice") and isinstance(f.get("required", False), bool)
                        and (f.get("kind") != "choice" or (isinstance(f.get("options"), list) and f["options"]))
                        for f in fields),
              f"frontdesk.toml has {len(fields)} well-formed department field(s)")
PY

# --------------------------------------------------------------------------
# (c) Slack app manifest
# --------------------------------------------------------------------------
section "Slack app manifest (manifests/slack/manifest.yml)" <<'PY'
area = "slack"
path = os.path.join(ROOT, "manifests", "slack", "manifest.yml")
try:
    docs = load_yaml_all(path)
    m = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None
    check(area, m is not None, f"{rel(path)} parses as one YAML mapping")
except (OSError, yaml.YAMLError) as e:
    m = None
    fail(area, f"{rel(path)} does not parse: {e}")

if m is not None:
    base = "https://frontdesk.example.com"
    known_top = {"_metadata", "display_information", "features", "oauth_config", "settings",
                 "outgoing_domains", "functions", "workflows", "datastores", "types", "external_auth_providers"}
    check(area, set(m) <= known_top, "only known top-level keys", f"unknown {sorted(set(m) - known_top)}")
    di = m.get("display_information", {})
    check(area, di.get("name") == "frontdesk" and 0 < len(di.get("name", "")) <= 35, "display_information.name")
    check(area, isinstance(di.get("description"), str) and 0 < len(di["description"]) <= 140,
          "display_information.description (1-140 chars)")
    if "long_description" in di:
        check(area, 175 <= len(di["long_description"]) <= 4000, "display_information.long_description (175-4000 chars)")
    if "background_color" in di:
        check(area, re.fullmatch(r"#[0-9a-fA-F]{6}", str(di["background_color"])) is not None, "background_color is #RRGGBB")
    home = dig(m, "features", "app_home", default={})
    check(area, home == {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False}, "features.app_home (home + writable messages tab)")
    bot = dig(m, "features", "bot_user", default={})
    check(area, bot.get("display_name") == "frontdesk" and bot.get("always_online") is True, "features.bot_user")
    cmds = dig(m, "features", "slash_commands", default=[])
    cmd = next((c for c in cmds if c.get("command") == "/help-it"), None)
    check(area, cmd is not None and cmd.get("url") == f"{base}/slack/commands"
          and cmd.get("usage_hint") == "[what you need] | status | cancel ID | help"
          and cmd.get("should_escape") is False and bool(cmd.get("description")),
          "slash command /help-it (url, description, usage_hint, should_escape false)", f"got {cmd}")
    want_scopes = {"commands", "chat:write", "im:write", "im:history", "im:read", "channels:history",
                   "groups:history", "channels:read", "groups:read", "reactions:read", "reactions:write", "users:read"}
    scopes = dig(m, "oauth_config", "scopes", "bot", default=[])
    check(area, set(scopes) == want_scopes and len(scopes) == len(set(scopes)),
          f"oauth_config.scopes.bot has the {len(want_scopes)} scopes",
          f"missing {sorted(want_scopes - set(scopes))}, extra {sorted(set(scopes) - want_scopes)}")
    ev = dig(m, "settings", "event_subscriptions", default={})
    want_events = {"message.im", "message.channels", "message.groups", "reaction_added",
                   "reaction_removed", "app_home_opened"}
    check(area, ev.get("request_url") == f"{base}/slack/events", "event_subscriptions.request_url")
    got_events = set(ev.get("bot_events") or [])
    check(area, got_events == want_events, f"event_subscriptions.bot_events has the {len(want_events)} events",
          f"missing {sorted(want_events - got_events)}, extra {sorted(got_events - want_events)}")
    # each event needs its scope
    needs = {"message.im": "im:history", "message.channels": "channels:history", "message.groups": "groups:history",
             "reaction_added": "reactions:read", "reaction_removed": "reactions:read"}
    check(area, all(needs[e] in scopes for e in got_events if e in needs), "every bot event has its scope")
    # Requests filed from channel messages (issue 12): a ticket reaction on any message in a
    # public or private channel, read back with conversations.history/replies; a help channel's
    # top-level messages; check-config --online asks conversations.info about each help channel.
    channel_ways = {"reaction_added": "reactions:read", "message.channels": "channels:history",
                    "message.groups": "groups:history"}
    check(area, all(e in got_events and s in scopes for e, s in channel_ways.items())
          and {"channels:read", "groups:read"} <= set(scopes),
          "ticket reactions and help channels have their events and scopes",
          f"events {sorted(got_events)}, scopes {sorted(scopes)}")
    inter = dig(m, "settings", "interactivity", default={})
    check(area, inter.get("is_enabled") is True and inter.get("request_url") == f"{base}/slack/interactivity",
          "interactivity enabled with request_url")
    s = m.get("settings", {})
    check(area, s.get("org_deploy_enabled") is False and s.get("socket_mode_enabled") is False
          and s.get("token_rotation_enabled") is False,
          "org_deploy, socket_mode and token_rotation disabled")
    urls = [cmd.get("url") if cmd else None, ev.get("request_url"), inter.get("request_url")]
    check(area, all(isinstance(u, str) and u.startswith("https://") for u in urls), "all request URLs are https")
PY

# --------------------------------------------------------------------------
# (c') Slack app manifest for Socket Mode
# --------------------------------------------------------------------------
section "Slack app manifest, Socket Mode (manifests/slack/manifest.socket.yml)" <<'PY'
area = "slack"
http_path = os.path.join(ROOT, "manifests", "slack", "manifest.yml")
path = os.path.join(ROOT, "manifests", "slack", "manifest.socket.yml")
try:
    docs = load_yaml_all(path)
    m = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None
    check(area, m is not None, f"{rel(path)} parses as one YAML mapping")
    h = load_yaml_all(http_path)[0]
except (OSError, yaml.YAMLError) as e:
    m = None
    fail(area, f"{rel(path)} does not parse: {e}")

if m is not None:
    s = m.get("settings", {})
    check(area, s.get("socket_mode_enabled") is True, "settings.socket_mode_enabled is true")
    check(area, s.get("org_deploy_enabled") is False and s.get("token_rotation_enabled") is False,
          "org_deploy and token_rotation disabled")
    cmds = dig(m, "features", "slash_commands", default=[])
    check(area, all("url" not in c for c in cmds), "no slash command URL")
    check(area, "request_url" not in dig(m, "settings", "event_subscriptions", default={}),
          "no event_subscriptions.request_url")
    inter = dig(m, "settings", "interactivity", default={})
    check(area, inter.get("is_enabled") is True and "request_url" not in inter,
          "interactivity enabled without a request_url")
    def without_urls(cs):
        return [{k: v for k, v in c.items() if k != "url"} for c in cs]
    check(area, without_urls(cmds) == without_urls(dig(h, "features", "slash_commands", default=[])),
          "the same slash commands as manifest.yml")
    check(area, dig(m, "oauth_config", "scopes", "bot", default=[]) == dig(h, "oauth_config", "scopes", "bot", default=[]),
          "the same bot scopes as manifest.yml")
    check(area, dig(m, "settings", "event_subscriptions", "bot_events", default=[])
          == dig(h, "settings", "event_subscriptions", "bot_events", default=[]),
          "the same bot events as manifest.yml")
    same = ("display_information", "features")
    check(area, all({k: v for k, v in m[k].items() if k != "slash_commands"} == {k: v for k, v in h[k].items() if k != "slash_commands"} for k in same),
          "the same display information and features as manifest.yml")
PY

# --------------------------------------------------------------------------
# (d) Teams app manifest and icons
# --------------------------------------------------------------------------
section "Teams app manifest (manifests/teams/manifest.json)" <<'PY'
import jsonschema

area = "teams"
tdir = os.path.join(ROOT, "manifests", "teams")
path = os.path.join(tdir, "manifest.json")
try:
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    check(area, isinstance(m, dict), f"{rel(path)} is valid JSON")
except (OSError, ValueError) as e:
    m = None
    fail(area, f"{rel(path)} is not valid JSON: {e}")

# A subset of the rules of the published v1.22 schema (which is not available
# offline), covering every part this manifest uses.
GUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
HTTPS = {"type": "string", "maxLength": 2048, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
SCOPES = {"type": "array", "uniqueItems": True, "maxItems": 3,
          "items": {"enum": ["team", "personal", "groupChat", "groupchat", "copilot"]}}
TOP_LEVEL = ["$schema", "manifestVersion", "version", "id", "localizationInfo", "developer", "name",
             "description", "icons", "accentColor", "configurableTabs", "staticTabs", "bots", "connectors",
             "subscriptionOffer", "composeExtensions", "permissions", "devicePermissions", "validDomains",
             "webApplicationInfo", "graphConnector", "showLoadingIndicator", "isFullScreen", "activities",
             "configurableProperties", "supportedChannelTypes", "defaultBlockUntilAdminAction",
             "publisherDocsUrl", "defaultInstallScope", "defaultGroupCapability", "meetingExtensionDefinition",
             "authorization", "extensions", "actions", "copilotAgents", "dashboardCards",
             "elementRelationshipSet", "backgroundLoadConfiguration", "intuneInfo", "agenticUserTemplates"]
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{k: {} for k in TOP_LEVEL},
        "$schema": {"const": "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"},
        "manifestVersion": {"const": "1.22"},
        "version": {"type": "string", "maxLength": 256,
                    "pattern": r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"},
        "id": {"type": "string", "pattern": GUID},
        "developer": {"type": "object", "additionalProperties": False,
                      "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
                      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 32},
                                     "mpnId": {"type": "string", "maxLength": 10},
                                     "websiteUrl": HTTPS, "privacyUrl": HTTPS, "termsOfUseUrl": HTTPS}},
        "name": {"type": "object", "additionalProperties": False, "required": ["short"],
                 "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 30},
                                "full": {"type": "string", "maxLength": 100}}},
        "description": {"type": "object", "additionalProperties": False, "required": ["short", "full"],
                        "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 80},
                                       "full": {"type": "string", "minLength": 1, "maxLength": 4000}}},
        "icons": {"type": "object", "additionalProperties": False, "required": ["outline", "color"],
                  "properties": {"outline": {"type": "string", "maxLength": 2048},
                                 "color": {"type": "string", "maxLength": 2048}}},
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "validDomains": {"type": "array", "maxItems": 16, "items": {"type": "string", "maxLength": 2048}},
        "bots": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["botId", "scopes"],
            "properties": {
                "botId": {"type": "string", "maxLength": 64},
                "needsChannelSelector": {"type": "boolean"},
                "isNotificationOnly": {"type": "boolean"},
                "supportsFiles": {"type": "boolean"},
                "supportsCalling": {"type": "boolean"},
                "supportsVideo": {"type": "boolean"},
                "scopes": SCOPES,
                "configuration": {"type": "object"},
                "requirementSet": {"type": "object"},
                "commandLists": {"type": "array", "maxItems": 3, "items": {
                    "type": "object", "additionalProperties": False, "required": ["scopes", "commands"],
                    "properties": {
                        "scopes": SCOPES,
                        "commands": {"type": "array", "maxItems": 10, "items": {
                            "type": "object", "additionalProperties": False, "required": ["title", "description"],
                            "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 32},
                                           "description": {"type": "string", "minLength": 1, "maxLength": 128}}}}}}}}}},
        "composeExtensions": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["commands"],
            "properties": {
                "id": {"type": "string"},
                "composeExtensionType": {"enum": ["botBased", "apiBased"]},
                "botId": {"type": "string", "maxLength": 64},
                "canUpdateConfiguration": {"type": ["boolean", "null"]},
                "messageHandlers": {"type": "array"},
                "commands": {"type": "array", "maxItems": 10, "items": {
                    "type": "object", "additionalProperties": False, "required": ["id", "title"],
                    "properties": {
                        "id": {"type": "string", "maxLength": 64},
                        "type": {"enum": ["query", "action"]},
                        "title": {"type": "string", "minLength": 1, "maxLength": 32},
                        "description": {"type": "string", "maxLength": 128},
                        "initialRun": {"type": "boolean"},
                        "fetchTask": {"type": "boolean"},
                        "context": {"type": "array", "maxItems": 3, "uniqueItems": True,
                                    "items": {"enum": ["compose", "commandBox", "message"]}},
                        "parameters": {"type": "array"},
                        "taskInfo": {"type": "object"}}}}}}},
    },
    "required": ["manifestVersion", "version", "id", "developer", "name", "description", "icons", "accentColor"],
}

if m is not None:
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(m), key=lambda e: list(e.path))
    check(area, not errors, "manifest satisfies the v1.22 rules it uses (fields, lengths, patterns)",
          "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5]))
    check(area, m.get("manifestVersion") == "1.22", "manifestVersion is 1.22")
    check(area, m.get("id") == "00000000-0000-0000-0000-000000000000", "id is the all-zero placeholder GUID")
    bots = m.get("bots") or []
    bot = bots[0] if bots else {}
    check(area, len(bots) == 1 and bot.get("botId") == "{{TEAMS_APP_ID}}", "one bot, botId {{TEAMS_APP_ID}}")
    check(area, bot.get("scopes") == ["personal", "team"], "bot scopes personal and team", f"got {bot.get('scopes')}")
    check(area, bot.get("supportsFiles") is False and bot.get("isNotificationOnly") is False,
          "bot is conversational and takes no files")
    lists = {tuple(cl.get("scopes", [])): [c["title"] for c in cl.get("commands", [])]
             for cl in bot.get("commandLists", [])}
    want = ["help it", "new request", "status", "cancel", "help"]
    check(area, lists.get(("personal",)) == want, f"personal commands: {', '.join(want)}", f"got {lists.get(('personal',))}")
    check(area, bool(lists.get(("team",))), "team command list present")
    exts = m.get("composeExtensions") or []
    commands = [c for e in exts for c in e.get("commands", [])]
    check(area, len(exts) == 1 and exts[0].get("botId") == "{{TEAMS_APP_ID}}",
          "one message extension, botId {{TEAMS_APP_ID}} (the bot's)")
    check(area, any(c.get("id") == "createRequest" and c.get("type") == "action" and c.get("title") == "Create request"
                    and c.get("context") == ["message"] and c.get("fetchTask") is True for c in commands),
          "message action createRequest \"Create request\" on messages, with fetchTask", f"got {commands}")

    # icons
    sizes = {"color": 192, "outline": 32}
    for kind, size in sizes.items():
        name = dig(m, "icons", kind, default="")
        ipath = os.path.join(tdir, name)
        if not check(area, bool(name) and "/" not in name and os.path.isfile(ipath),
                     f"icons.{kind} {name!r} is a file beside manifest.json"):
            continue
        try:
            w, h, ch, rows = read_png(ipath)
        except (OSError, ValueError, zlib.error) as e:
            fail(area, f"{name} is not a readable PNG: {e}")
            continue
        check(area, (w, h) == (size, size), f"{name} is a PNG of {size}x{size}", f"got {w}x{h}")
        pixels = [tuple(r[i:i + ch]) for r in rows for i in range(0, len(r), ch)]
        if kind == "color":
            colours = {p[:3] for p in pixels if ch in (3, 4) and (ch == 3 or p[3] > 0)}
            check(area, ch in (3, 4) and len(colours) >= 3, f"{name} is full colour", f"{ch} channels, {len(colours)} colours")
        else:
            has_alpha = ch in (2, 4)
            transparent = sum(1 for p in pixels if has_alpha and p[-1] == 0)
            white = all((p[:-1] == (255,) * (ch - 1)) for p in pixels if has_alpha and p[-1] > 0)
            check(area, has_alpha and white and 0 < transparent < len(pixels),
                  f"{name} is white on transparent",
                  f"alpha={has_alpha}, transparent={transparent}/{len(pixels)}, only white={white}")
PY

# --------------------------------------------------------------------------
# (e) Teams package
# --------------------------------------------------------------------------
section "Teams package (manifests/teams/package.sh)" <<'PY'
import hashlib, zipfile

area = "package"
tdir = os.path.join(ROOT, "manifests", "teams")
script = os.path.join(tdir, "package.sh")
out = os.path.join(os.environ["WORK"], "pkg")
dummy = "12345678-90ab-cdef-1234-567890abcdef"

def digest(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

before = digest(os.path.join(tdir, "manifest.json"))
env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMS_APP_")}
r = subprocess.run(["bash", script, out], env=env, capture_output=True, text=True, timeout=60)
check(area, r.returncode != 0 and "TEAMS_APP_ID" in r.stderr,
      "package.sh refuses to run without TEAMS_APP_ID", f"exit {r.returncode}, stderr {r.stderr.strip()!r}")
r = subprocess.run(["bash", script, out], env={**env, "TEAMS_APP_ID": "not-a-guid"},
                   capture_output=True, text=True, timeout=60)
check(area, r.returncode != 0, "package.sh refuses a TEAMS_APP_ID that is not a GUID")
r = subprocess.run(["bash", script, out], env={**env, "TEAMS_APP_ID": dummy},
                   capture_output=True, text=True, timeout=60)
zpath = os.path.join(out, "frontdesk-teams.zip")
if check(area, r.returncode == 0 and os.path.isfile(zpath), f"package.sh with a dummy TEAMS_APP_ID wrote {os.path.basename(zpath)}",
         f"exit {r.returncode}, stderr {r.stderr.strip()!r}"):
    with zipfile.ZipFile(zpath) as z:
        check(area, z.testzip() is None, "zip CRCs are intact")
        names = sorted(z.namelist())
        check(area, names == ["color.png", "manifest.json", "outline.png"],
              "zip holds exactly manifest.json, color.png, outline.png at the top level", f"got {names}")
        if "manifest.json" in names:
            text = z.read("manifest.json").decode("utf-8")
            pm = json.loads(text)
            check(area, "{{" not in text, "no placeholder left in the packaged manifest")
            check(area, pm.get("id") == dummy and dig(pm, "bots", 0, "botId") == dummy
                  and dig(pm, "composeExtensions", 0, "botId") == dummy,
                  "packaged id and botIds are TEAMS_APP_ID", f"id {pm.get('id')}, botId {dig(pm, 'bots', 0, 'botId')}")
        for icon in ("color.png", "outline.png"):
            if icon in names:
                check(area, hashlib.sha256(z.read(icon)).hexdigest() == digest(os.path.join(tdir, icon)),
                      f"packaged {icon} is the committed icon")
r = subprocess.run(["bash", script, out], env={**env, "TEAMS_APP_ID": dummy,
                   "TEAMS_APP_GUID": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "TEAMS_APP_VERSION": "1.2.3"},
                   capture_output=True, text=True, timeout=60)
if r.returncode == 0:
    with zipfile.ZipFile(zpath) as z:
        pm = json.loads(z.read("manifest.json"))
    check(area, pm.get("id") == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" and pm.get("version") == "1.2.3"
          and dig(pm, "bots", 0, "botId") == dummy, "TEAMS_APP_GUID and TEAMS_APP_VERSION are applied")
else:
    fail(area, f"package.sh with TEAMS_APP_GUID/TEAMS_APP_VERSION failed: {r.stderr.strip()}")
check(area, digest(os.path.join(tdir, "manifest.json")) == before, "package.sh leaves manifest.json untouched")
PY

# --------------------------------------------------------------------------
# Docker and systemd (static checks)
# --------------------------------------------------------------------------
section "Dockerfile and systemd unit" <<'PY'
import shutil, stat

area = "docker"
dpath = os.path.join(ROOT, "deploy", "Dockerfile")
with open(dpath, encoding="utf-8") as f:
    df = f.read()
# join continuation lines, drop comments
lines = [l.strip() for l in re.sub(r"\\\n", " ", df).splitlines() if l.strip() and not l.strip().startswith("#")]
instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
froms = [a for i, a in instr if i == "FROM"]
check(area, len(froms) == 2 and froms[0].startswith("rust:1-bookworm") and froms[1].startswith("debian:bookworm-slim"),
      "two stages: rust:1-bookworm builder, debian:bookworm-slim runtime", f"got {froms}")
check(area, re.search(r"cargo build --release --locked", df) is not None, "builder runs cargo build --release --locked")
check(area, "ca-certificates" in df, "runtime installs ca-certificates")
check(area, re.search(r"useradd[^\n]*--uid 10001", re.sub(r"\\\n", " ", df)) is not None, "user frontdesk with uid 10001")
runtime = instr[[n for n, (i, _) in enumerate(instr) if i == "FROM"][-1]:]
users = [a for i, a in runtime if i == "USER"]
check(area, users and users[-1].split(":")[0] in ("10001", "frontdesk"), "runtime stage runs as the non-root user")
check(area, ("VOLUME", "/var/lib/frontdesk") in runtime, "VOLUME /var/lib/frontdesk")
envs = " ".join(a for i, a in runtime if i == "ENV")
check(area, "FRONTDESK_DATA_DIR=/var/lib/frontdesk" in envs and "FRONTDESK_LISTEN=0.0.0.0:3000" in envs,
      "ENV FRONTDESK_DATA_DIR and FRONTDESK_LISTEN")
check(area, ("EXPOSE", "3000") in runtime, "EXPOSE 3000")
check(area, ("ENTRYPOINT", '["frontdesk"]') in runtime and ("CMD", '["serve"]') in runtime,
      'ENTRYPOINT ["frontdesk"], CMD ["serve"]')
ipath = os.path.join(ROOT, ".dockerignore")
ign = open(ipath, encoding="utf-8").read().split() if os.path.isfile(ipath) else []
check(area, all(any(p.rstrip("/") == want for p in ign) for want in ("target", "data", ".git")),
      ".dockerignore excludes target/, data/, .git")

area = "systemd"
upath = os.path.join(ROOT, "deploy", "systemd", "frontdesk.service")
unit, section_name = {}, None
with open(upath, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section_name = line.strip("[]")
            continue
        k, _, v = line.partition("=")
        unit.setdefault((section_name, k.strip()), []).append(v.strip())
svc = lambda k: unit.get(("Service", k), [None])[-1]
want = {
    "Type": "simple", "User": "frontdesk",
    "ExecStart": "/usr/local/bin/frontdesk serve --config /etc/frontdesk/frontdesk.toml",
    "EnvironmentFile": "-/etc/frontdesk/frontdesk.env", "StateDirectory": "frontdesk",
    "Restart": "on-failure", "KillSignal": "SIGTERM", "TimeoutStopSec": "30",
    "ExecReload": "/bin/kill -HUP $MAINPID", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
    "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes", "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces": "yes",
    "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
}
bad = {k: svc(k) for k, v in want.items() if svc(k) != v}
check(area, not bad, f"[Service] has the {len(want)} expected directives", f"differs: {bad}")
check(area, "FRONTDESK_DATA_DIR=/var/lib/frontdesk" in unit.get(("Service", "Environment"), []),
      "Environment=FRONTDESK_DATA_DIR=/var/lib/frontdesk")
check(area, unit.get(("Install", "WantedBy")) == ["multi-user.target"], "[Install] WantedBy=multi-user.target")

analyze = shutil.which("systemd-analyze")
if analyze:
    # verify a copy whose ExecStart points at a stub, since the real binary
    # is not installed here
    stub = os.path.join(os.environ["WORK"], "frontdesk")
    with open(stub, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(stub, 0o755)
    copy = os.path.join(os.environ["WORK"], "frontdesk.service")
    with open(upath, encoding="utf-8") as f, open(copy, "w", encoding="utf-8") as g:
        g.write(f.read().replace("/usr/local/bin/frontdesk", stub))
    try:
        r = subprocess.run([analyze, "verify", copy], capture_output=True, text=True, timeout=60)
        # Unknown keys are only warnings ("ignoring") with exit 0, so any line
        # about the unit counts; a non-zero exit with nothing about the unit
        # comes from this environment, not from the file.
        unit_lines = [l for l in (r.stdout + r.stderr).splitlines() if "frontdesk.service" in l]
        if unit_lines:
            fail(area, "systemd-analyze verify: " + " | ".join(unit_lines))
        else:
            ok(area, "systemd-analyze verify" + ("" if r.returncode == 0 else
               f" (exit {r.returncode} from the environment, nothing about the unit)"))
    except subprocess.TimeoutExpired:
        print(f"skip {area:<10} systemd-analyze verify timed out")
else:
    print(f"skip {area:<10} systemd-analyze not installed; directive checks only")
PY

# --------------------------------------------------------------------------
passed="$(grep -c '^ok ' "$LOG" || true)"
failed="$(grep -c '^FAIL ' "$LOG" || true)"
echo
echo "validate-manifests: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]

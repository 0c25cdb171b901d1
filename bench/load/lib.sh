# Shared by run.sh, instructions.sh and pages.sh, sourced from the
# repository's root: the epa binary, the data to serve, signing in, the
# writes' targets found through the API, and a list of POSTs sent one
# after another. The functions read PORT, WORK and CLIENT_CORE (the data,
# EPA and N; the writes' targets, TOKEN and ASSESSOR_TOKEN; the outbox,
# ADMIN_TOKEN), which the scripts set before calling them.

# The epa binary to measure: EPA_BENCH_BIN, an epa already built (release),
# or the release build, built first.
release_epa() {
  if [ -n "${EPA_BENCH_BIN:-}" ]; then
    echo "$EPA_BENCH_BIN"
    return
  fi
  cargo build --release --locked -q >&2 || return 1
  local target="${CARGO_TARGET_DIR:-target}"
  case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
  echo "$target/release/epa"
}

# POSTs from a list: each line of `$1` is `path|json body`, sent once in
# order on one kept-alive connection (one curl, pinned to the client's
# core), as the holder of `$2`; or, given `$3`, that many at a time on as
# many connections. Prints the rate of 2xx answers over the time the
# whole list took. (wrk cannot stop at the end of a list: it reports its
# whole duration, so a short list read as a low rate.)
post_list() {
  local list="$1" token="$2" parallel=() start end
  if [ -n "${3:-}" ]; then
    parallel=(--parallel --parallel-immediate --parallel-max "$3" --no-progress-meter)
  fi
  python3 - "$list" "$token" "http://127.0.0.1:$PORT" > "$WORK/list.curl" <<'PY'
import json, sys
path, token, base = sys.argv[1:]
requests = []
for line in open(path):
    line = line.rstrip("\n")
    if not line:
        continue
    target, body = line.split("|", 1)
    requests.append("\n".join([
        f'url = "{base}{target}"',
        'header = "Content-Type: application/json"',
        f'header = "Authorization: Bearer {token}"',
        f"data-binary = {json.dumps(body)}",
        'output = "/dev/null"',
        'write-out = "%{http_code}\\n"',
    ]))
print("\nnext\n".join(requests))
PY
  start="$(date +%s.%N)"
  taskset -c "$CLIENT_CORE" curl -s "${parallel[@]}" -K "$WORK/list.curl" > "$WORK/list.codes" || true
  end="$(date +%s.%N)"
  python3 - "$WORK/list.codes" "$start" "$end" <<'PY'
import sys
codes = [c.strip() for c in open(sys.argv[1]) if c.strip()]
ok = sum(1 for c in codes if c.startswith("2"))
if ok < len(codes):
    print(f"   (refused: {len(codes) - ok} of {len(codes)})", file=sys.stderr)
secs = float(sys.argv[3]) - float(sys.argv[2])
print(int(ok / secs) if secs > 0 else 0)
PY
}

# The data to serve, in `$WORK/data`: a copy of EPA_BENCH_DATA (a data
# directory already loaded; never changed), or N apprentices loaded now.
# The copy is flushed to the disk before the server starts: `cp` leaves
# the file's pages for the system to write back later, and the first
# checkpoint's flush of the file would then wait for all of them (267 ms
# for the loaded 100,000, where the next ones took 4 to 5 ms), counted
# against the writes. The loader's own checkpoints flush what it wrote.
bench_data() {
  if [ -n "${EPA_BENCH_DATA:-}" ]; then
    cp -r "$EPA_BENCH_DATA" "$WORK/data"
    sync
  else
    echo "== loading $N apprentices"
    "$EPA" demo load --apprentices "$N" --data-dir "$WORK/data" >/dev/null
  fi
}

# Waits for the server started with its output in `$WORK/serve.out` to
# answer (up to 600 tries, `$1` seconds apart), then sets PASSWORD (the
# demo prints it with the logins), TOKEN (EPAO operations) and
# ASSESSOR_TOKEN (the demo assessor).
demo_tokens() {
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep "$1"; done
  PASSWORD="$(sed -n 's/.*password "\([^"]*\)".*/\1/p' "$WORK/serve.out" | head -n 1)"
  TOKEN="$(sign_in operations@demo.test "$PASSWORD")"
  ASSESSOR_TOKEN="$(sign_in assessor@demo.test "$PASSWORD")"
}

sign_in() {
  curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" \
    "http://127.0.0.1:$PORT/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# The writes' targets, found through the API: judgement saves on the
# observation sittings of the demo assessor's EPAs in assessment (one
# criterion, saved again and again, which supersedes; the loader gives
# each assessor 150 EPAs, so each sitting is saved several times), and
# bookings of the observation of planned EPAs with nothing booked yet (the
# loader leaves one planned EPA in twenty so), each in its own slot of its
# assessor's diary; and registrations of new apprentices (instructions.sh
# counts them; run.sh registers through wrk, without a list).
write_targets() {
  python3 - "http://127.0.0.1:$PORT" "$TOKEN" "$ASSESSOR_TOKEN" "$WORK" <<'PY'
import datetime, json, sys, urllib.request
base, ops, assessor, work = sys.argv[1:]
def get(path, token):
    req = urllib.request.Request(base + path, headers={"authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
def pages(query, want, keep, token=ops):
    found, path = [], f"/api/v1/epas?limit=200&{query}"
    while path and len(found) < want:
        page = get(path, token)
        found += [e for e in page["items"] if keep(e)]
        path = page.get("next")  # the next page's link
    return found[:want]
judged = []
for epa in pages("stage=in_assessment", 300, lambda e: True, assessor):
    sittings = get(f"/api/v1/epas/{epa['id']}/assessments", assessor)
    items = sittings["items"] if isinstance(sittings, dict) else sittings
    for s in items:
        if s["method"] == "observation":
            judged.append(f"/api/v1/epas/{epa['id']}/assessments/{s['id']}/judgements|"
                          + json.dumps({"judgements": [{"criterion": "OBS-P01", "met": True}]}))
            break
judged = (judged * (300 // max(len(judged), 1) + 1))[:300]
open(f"{work}/judgements.txt", "w").write("\n".join(judged) + "\n")
# Planned EPAs without bookings: synthetic apprentice i with i % 20 == 11,
# whose gateway (today - i % 90 days) leaves the EPA period open ahead.
def unbooked(e):
    name = e["apprentice"]["family_name"]
    if not name.startswith("Apprentice "):
        return False
    i = int(name.split()[1])
    return i % 20 == 11 and i % 90 < 20
today = datetime.date.today()
booked, k = [], 0
for epa in pages("stage=planned", 1000, unbooked):
    # 16 slots a day clear of the loader's own bookings (09:00 to 15:00):
    # out of working hours is a warning, not a refusal.
    day = today + datetime.timedelta(days=16 + k // 16)
    minutes = (k % 16) * 65 if k % 16 < 8 else 15 * 60 + (k % 16 - 8) * 65
    body = {"method": "observation", "date": day.isoformat(),
            "start_time": f"{minutes // 60:02d}:{minutes % 60:02d}", "mode": "in_person"}
    booked.append(f"/api/v1/epas/{epa['id']}/bookings|" + json.dumps(body))
    k += 1
open(f"{work}/bookings.txt", "w").write("\n".join(booked) + "\n")
# Registrations of new apprentices with the loader's employer and
# provider, each with its own valid ULN: stems from 400000000 (the
# loader's start with 2, run.sh's with 3), stepping past a stem that has
# no check digit, as the ULN rules give it.
def uln(i):
    step = 0
    while True:
        stem = f"4{i * 3 + step:08d}"
        r = sum(int(c) * (10 - k) for k, c in enumerate(stem)) % 11
        if r not in (0, 10):
            return stem + str(10 - r)
        step += 1
first = get("/api/v1/epas?limit=1&stage=planned", ops)["items"][0]
registered = []
for i in range(300):
    body = {"uln": uln(i), "given_names": "Bench", "family_name": f"Registration {i}",
            "date_of_birth": "2004-05-06", "employer_id": first["employer_id"],
            "provider_id": first["provider_id"], "standard": "ST0071", "policy": "tquk",
            "start_date": "2025-06-02"}
    registered.append("/api/v1/epas|" + json.dumps(body))
open(f"{work}/registrations.txt", "w").write("\n".join(registered) + "\n")
print(f"   write targets: {len(judged)} sittings to judge, {len(booked)} EPAs to book, "
      f"{len(registered)} apprentices to register")
PY
}

# Waits until the outbox holds nothing queued, asking every half second
# (`$1` times, a minute unless told), as the holder of ADMIN_TOKEN (only
# an EPAO admin sees the outbox). run.sh starts each run of writes on a
# server that is no longer delivering the emails of the run before it (a
# booking queues three), and delivers its own while it runs, as a server
# taking bookings all day does.
outbox_quiet() {
  local queued=
  for _ in $(seq 1 "${1:-120}"); do
    queued="$(curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" \
      "http://127.0.0.1:$PORT/api/v1/outbox?state=queued&limit=1" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["queued"])')" || {
      echo "   (the outbox could not be read: writes measured without waiting for it)" >&2
      return
    }
    [ "$queued" = 0 ] && return
    sleep 0.5
  done
  echo "   (the outbox still held $queued emails after $(( ${1:-120} / 2 )) s)" >&2
}

# One request of a list, with its answer shown if refused: a check that
# the targets are good before their rate is taken.
first_ok() {
  local line path body status
  line="$(head -n 1 "$1")"; path="${line%%|*}"; body="${line#*|}"
  status="$(curl -s -o "$WORK/first.json" -w '%{http_code}' -H "Authorization: Bearer $2" \
    -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$PORT$path")"
  case "$status" in 2*) ;; *) echo "   $path answered $status: $(cat "$WORK/first.json")" >&2 ;; esac
}

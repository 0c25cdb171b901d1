#!/usr/bin/env python3
"""Kill -9 harness: no acknowledged write is lost, the audit chain holds.

Each run starts `epa serve`, lets client threads register apprentices
(each POST with its own Idempotency-Key), kills the server with SIGKILL at
a random moment, restarts it and checks:
  - every registration the API acknowledged (201) is there, with its ULN;
  - every request in flight at the kill, sent again with the same key,
    is answered 201 (the first answer, replayed, when the work was done)
    and leaves exactly one EPA for its ULN. The answer is kept in the
    transaction of the work, so no kill leaves a key "in progress": a 409
    is a failure, counted as stuck.
After the last run the server is stopped and `epa audit verify` must say
the chain is intact.

    crash.py --epa PATH --runs N (--data-dir DIR | --database-url URL --data-dir DIR)
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

PORT = 18590


def uln(i):
    """The i-th valid ULN of the harness (10 digits, check digit per the rule)."""
    step = 0
    while True:
        stem = "5%08d" % (i * 3 + step)
        total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1)))
        r = total % 11
        if r not in (0, 10):
            return stem + str(10 - r)
        step += 1


def request(method, path, token=None, body=None, key=None, timeout=10):
    status, answer, _ = request_replay(method, path, token, body, key, timeout)
    return status, answer


def request_replay(method, path, token=None, body=None, key=None, timeout=10):
    """The status, the answer, and whether it is the replay of a first answer."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if key:
        req.add_header("idempotency-key", key)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            replayed = resp.headers.get("idempotent-replay") == "true"
            return resp.status, json.loads(resp.read() or b"null"), replayed
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace"), False


class Server:
    def __init__(self, args):
        self.args = args
        self.proc = None
        self.out = os.path.join(args.work, "serve.out")

    def db_args(self):
        a = ["--data-dir", self.args.data_dir]
        if self.args.database_url:
            a += ["--database-url", self.args.database_url]
        return a

    def start(self):
        with open(self.out, "w") as out, open(os.path.join(self.args.work, "serve.log"), "a") as log:
            self.proc = subprocess.Popen(
                [self.args.epa, "serve", "--demo", "--bind", f"127.0.0.1:{PORT}"] + self.db_args(),
                stdout=out, stderr=log)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"the server exited with {self.proc.returncode}; see {self.args.work}/serve.log")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit("the server did not answer /healthz in 120 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def main():
    global PORT
    p = argparse.ArgumentParser()
    p.add_argument("--epa", required=True)
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--database-url")
    p.add_argument("--work", required=True)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--port", type=int, default=18590)
    args = p.parse_args()
    PORT = args.port
    rng = random.Random(args.seed)
    server = Server(args)
    server.start()
    password = None
    with open(server.out) as f:
        for line in f:
            if 'password "' in line:
                password = line.split('password "')[1].split('"')[0]
                break
    status, answer = request("POST", "/api/v1/tokens",
                             body={"email": "operations@demo.test", "password": password})
    assert status in (200, 201), (status, answer)
    token = answer["token"]
    status, first = request("GET", "/api/v1/epas?limit=1", token)
    employer, provider = first["items"][0]["employer_id"], first["items"][0]["provider_id"]

    acked = []          # (uln, epa id), every run
    failures = []
    counter = [0]
    lock = threading.Lock()
    log = open(os.path.join(args.work, "acknowledged.log"), "a")

    def body_of(i):
        return {"uln": uln(i), "given_names": "Crash", "family_name": f"Harness {i}",
                "date_of_birth": "2004-05-06", "employer_id": employer, "provider_id": provider,
                "standard": "ST0071", "policy": "tquk" if i % 2 else "innovate",
                "start_date": "2025-06-02"}

    def missing(writes, label):
        lost = 0
        for u, epa in writes:
            status, answer = request("GET", f"/api/v1/epas/{epa}", token)
            if status != 200 or answer["apprentice"]["uln"] != u:
                lost += 1
                print(f"{label}: LOST {u} {epa}: {status}", file=sys.stderr)
        return lost

    checked = 0
    lost_total = 0
    retried_total = 0
    replayed_total = 0
    stuck = 0
    for run in range(1, args.runs + 1):
        stop = threading.Event()
        in_flight = {}   # thread -> i

        def client():
            me = threading.get_ident()
            while not stop.is_set():
                with lock:
                    counter[0] += 1
                    i = counter[0]
                    in_flight[me] = i
                try:
                    status, answer = request("POST", "/api/v1/epas", token, body_of(i),
                                             key=f"crash-{i}", timeout=5)
                except OSError:
                    return  # the server is gone: i stays in flight
                if status == 201:
                    with lock:
                        acked.append((uln(i), answer["id"]))
                        log.write(f"{uln(i)} {answer['id']}\n")
                        log.flush()
                        del in_flight[me]
                else:
                    failures.append(f"run {run}: registration {i} answered {status}: {answer}")
                    return

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.05, 1.5))
        server.kill9()
        stop.set()
        for t in threads:
            t.join()
        server.start()
        if failures:
            server.stop()
            sys.exit(failures[0])
        # Every write acknowledged in this run is there after the restart
        # (and every one of every run at the end).
        lost = missing(acked[checked:], f"run {run}")
        checked = len(acked)
        # What was in flight is sent again under its key: done exactly once
        # (a ULN is registered once, so a second run would be refused).
        for i in in_flight.values():
            status, answer, replayed = request_replay("POST", "/api/v1/epas", token, body_of(i),
                                                      key=f"crash-{i}")
            retried_total += 1
            if status == 201:
                acked.append((uln(i), answer["id"]))
                replayed_total += replayed
                continue
            if status == 409:
                # Left "in progress" for good: the answer was not kept with
                # the work. Counted, and the harness fails at the end.
                stuck += 1
                print(f"run {run}: the retry of {i} is stuck: {answer}", file=sys.stderr)
                continue
            server.stop()
            sys.exit(f"run {run}: the retry of {i} answered {status}: {answer}")
        lost_total += lost
        print(f"run {run}: {len(acked)} acknowledged so far, {len(in_flight)} in flight sent again, {lost} lost",
              flush=True)
    lost_total += missing(acked, "at the end")
    server.stop()
    verify = subprocess.run([args.epa, "audit", "verify"] + server.db_args(),
                            capture_output=True, text=True)
    print(f"epa audit verify: {verify.stdout.strip()}{verify.stderr.strip()}")
    print(f"SUMMARY runs={args.runs} acknowledged={len(acked)} retried={retried_total} "
          f"of-which-replayed={replayed_total} stuck-409={stuck} lost={lost_total} "
          f"audit={'intact' if verify.returncode == 0 else 'BROKEN'}")
    sys.exit(0 if lost_total == 0 and stuck == 0 and verify.returncode == 0 else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerates the state, transition and deadline tables of docs/workflows/NAME.md from
workflows/NAME.v*.yaml (the newest version), between the markers

    <!-- BEGIN GENERATED TABLES -->  ...  <!-- END GENERATED TABLES -->

Everything outside the markers is hand-written and kept. The Mermaid diagram is not made here:
it is `rogatory graph NAME` (tests/workflows/docs_test.cc checks it and, run with
ROGATORY_UPDATE_DOCS=1, rewrites it).

Usage: docs/workflows/gen_tables.py [NAME ...]   (default: every workflow)
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = "<!-- BEGIN GENERATED TABLES -->"
END = "<!-- END GENERATED TABLES -->"


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def code(names):
    return ", ".join(f"`{n}`" for n in names)


def cell(text):
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def newest(name):
    best = None
    for path in glob.glob(os.path.join(ROOT, "workflows", "*.yaml")):
        with open(path) as f:
            d = yaml.safe_load(f)
        if d.get("workflow") == name and (best is None or d["version"] > best["version"]):
            best = d
    if best is None:
        sys.exit(f"no workflow {name}")
    return best


def sources(d, t):
    if t.get("from") == "*":
        return [s for s, v in d["states"].items() if not v.get("terminal")]
    return as_list(t.get("from"))


def tables(d):
    out = []
    states = d["states"]
    out.append("### States\n")
    out.append("| State | Phase | Meaning and basis |")
    out.append("|---|---|---|")
    for name, s in states.items():
        flags = []
        if s.get("initial"):
            flags.append("initial")
        if s.get("terminal"):
            flags.append("terminal")
        label = f"`{name}`" + (f" ({', '.join(flags)})" if flags else "")
        out.append(f"| {label} | {s['phase']} | {cell(s.get('description'))} |")

    out.append("\n### Transitions\n")
    out.append("`(stays)`: the event records a step (notice, escalation, data) without changing "
               "state. Clocks: ▶ start (or restart), ■ stop, ⏸ pause, ⏵ resume, ＋ extend.\n")
    out.append("| Event | From | To | Who | Requires | Clocks | Basis |")
    out.append("|---|---|---|---|---|---|---|")
    for t in d["transitions"]:
        frm = "any non-terminal state" if t.get("from") == "*" else code(as_list(t.get("from")))
        to = f"`{t['to']}`" if t.get("to") else "(stays)"
        clocks = []
        for key, sym in (("start", "▶"), ("stop", "■"), ("pause", "⏸"), ("resume", "⏵"),
                         ("extend", "＋")):
            for n in as_list(t.get(key)):
                clocks.append(f"{sym} `{n}`")
        out.append(f"| `{t['event']}` | {frm} | {to} | {code(as_list(t.get('roles')))} | "
                   f"{code(as_list(t.get('require')))} | {' '.join(clocks)} | "
                   f"{cell(t.get('description'))} |")

    deadlines = d.get("deadlines") or {}
    if deadlines:
        out.append("\n### Deadlines\n")
        out.append("| Deadline | Limit | Started by | Stopped by | Paused / resumed / extended by "
                   "| On lapse | Basis |")
        out.append("|---|---|---|---|---|---|---|")
        for name, dl in deadlines.items():
            def events(key):
                return sorted({t["event"] for t in d["transitions"] if name in as_list(t.get(key))})
            limit = dl["duration"] + (f" (+{dl['extension']} once)" if dl.get("extension") else "")
            others = []
            for key, word in (("pause", "pause"), ("resume", "resume"), ("extend", "extend")):
                ev = events(key)
                if ev:
                    others.append(f"{word}: {code(ev)}")
            lapse = []
            for t in d["transitions"]:
                if t["event"] != dl["on_expiry"]:
                    continue
                frm = "any state" if t.get("from") == "*" else code(as_list(t.get("from")))
                lapse.append(f"from {frm} → " + (f"`{t['to']}`" if t.get("to") else "stays (notice)"))
            out.append(f"| `{name}` | {limit} | {code(events('start'))} | {code(events('stop'))} | "
                       f"{'; '.join(others) or '—'} | `{dl['on_expiry']}`: {'; '.join(lapse)} | "
                       f"{cell(dl.get('description'))} |")

    out.append("\n### Fields\n")
    out.append("| Field | Type | Meaning and basis |")
    out.append("|---|---|---|")
    for name, f in (d.get("fields") or {}).items():
        typ = f["type"]
        if typ == "list" and f.get("items"):
            typ = f"list of {f['items']}"
        if f.get("values"):
            typ += ": " + ", ".join(f"`{v}`" for v in f["values"])
        if f.get("required"):
            typ += " (required)"
        if "default" in f:
            typ += f" (default {str(f['default']).lower()})"
        out.append(f"| `{name}` | {typ} | {cell(f.get('description'))} |")
    return "\n".join(out) + "\n"


def main(names):
    if not names:
        names = sorted({yaml.safe_load(open(p))["workflow"]
                        for p in glob.glob(os.path.join(ROOT, "workflows", "*.yaml"))})
    for name in names:
        d = newest(name)
        path = os.path.join(ROOT, "docs", "workflows", f"{name}.md")
        text = open(path).read() if os.path.exists(path) else f"# {d['title']}\n\n{BEGIN}\n{END}\n"
        if BEGIN not in text or END not in text:
            sys.exit(f"{path}: markers missing")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        generated = (f"<!-- Generated from workflows/{name}.v{d['version']}.yaml by "
                     f"docs/workflows/gen_tables.py; edit the YAML, then rerun. -->\n\n")
        with open(path, "w") as f:
            f.write(head + BEGIN + "\n" + generated + tables(d) + END + tail)
        print(f"updated {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])

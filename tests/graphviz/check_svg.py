#!/usr/bin/env python3
"""`rogatory graph FILE --format svg` must print well-formed SVG (Python's XML parser) naming,
in its <title> elements, every state, every phase cluster and every arrow the definition calls
for (read from the YAML here, independently of the renderer), and no loop arrow: stays are
listed inside their state. Run by CTest (tests/graphviz/CMakeLists.txt)."""
import argparse
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import yaml

SVG = "{http://www.w3.org/2000/svg}"


def expected(definition):
    states = definition["states"]
    nodes = set(states) | {"__start", "__end"}
    clusters = {"cluster_" + s["phase"] for s in states.values()}
    edges, loops = set(), set()
    for t in definition["transitions"]:
        sources = t["from"] if isinstance(t["from"], list) else [t["from"]]
        target = t.get("to")
        if sources == ["*"]:
            nodes.add("__any")
            if target:
                edges.add("__any->" + target)
            continue
        for source in sources:
            if target and target != source:
                edges.add(source + "->" + target)
            else:
                loops.add(source + "->" + source)
    return nodes, clusters, edges, loops


def titles(svg_text):
    root = ET.fromstring(svg_text)  # raises on malformed XML
    assert root.tag == SVG + "svg", root.tag
    return {t.text for t in root.iter(SVG + "title")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rogatory", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.source, "workflows", "*.yaml")))
    files += sorted(glob.glob(os.path.join(args.source, "tests/fixtures/graphs/rules/*.yaml")))
    files.append(os.path.join(args.source, "tests/fixtures/guards/provisional_arrest.yaml"))
    failures = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            definition = yaml.safe_load(f)
        run = subprocess.run([args.rogatory, "graph", path, "--format", "svg"],
                             capture_output=True, text=True)
        name = os.path.relpath(path, args.source)
        if run.returncode != 0:
            print(f"FAIL {name}: exit {run.returncode}: {run.stderr}")
            failures += 1
            continue
        try:
            found = titles(run.stdout)
        except (ET.ParseError, AssertionError) as e:
            print(f"FAIL {name}: not well-formed SVG: {e}")
            failures += 1
            continue
        nodes, clusters, edges, loops = expected(definition)
        missing = (nodes | clusters | edges) - found
        drawn_loops = loops & found
        if missing or drawn_loops:
            print(f"FAIL {name}: missing titles {sorted(missing)}, loops drawn {sorted(drawn_loops)}")
            failures += 1
        else:
            print(f"ok {name}: {len(nodes)} nodes, {len(edges)} arrows, {len(loops)} stays")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()

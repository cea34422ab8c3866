"""Finds experiments that labstore exported with machinable's own lookups.

    check_get.py PROJECT_DIR STORAGE_DIR < lines of "<id> <config JSON>"

For each experiment: Experiment.get(module, config) and
Experiment.get(module, version) (the version list of its experiment.json)
must both return the stored experiment, not a new one.
"""
import json
import os
import sys

from machinable import Experiment, Project, Storage


def main():
    project_dir, storage_dir = sys.argv[1], sys.argv[2]
    Project(project_dir).__enter__()
    Storage.filesystem(storage_dir).__enter__()
    failures = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        want, config_text = line.split(" ", 1)
        config = json.loads(config_text)
        with open(os.path.join(storage_dir, want, "experiment.json")) as f:
            model = json.load(f)
        for how, version in (("config", config), ("version", model["version"])):
            got = Experiment.get("sim", version)
            found = got.experiment_id if got.is_mounted() else None
            status = "ok" if found == want else "FAILED"
            failures += found != want
            print(f"{status}: get('sim', <{how}> {json.dumps(version)}) -> {found}, want {want}")
    print("machinable found every experiment" if failures == 0 else f"{failures} lookups failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

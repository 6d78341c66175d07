#!/usr/bin/python3
"""Convert matRad's photon pencil-beam base data (as unpacked in the shared test data:
machine.json + kernels_f64.raw) into Beamlet's machine format (docs/machines.md):
machine.json (metadata, physics constants, table layout) + kernels.f32 (float32 little-endian,
[SSD][kernel][radius]).

Usage: convert_matrad.py SOURCE_DIR OUT_DIR
"""
import json
import sys
from pathlib import Path

import numpy as np


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: convert_matrad.py SOURCE_DIR OUT_DIR")
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    meta = json.loads((src / "machine.json").read_text())
    ssd = meta["kernel_ssd_mm"]
    pos = meta["kernel_pos_mm"]
    kernels = np.fromfile(src / "kernels_f64.raw", "<f8")
    kernels = kernels.reshape(ssd["count"], 3, pos["count"])
    out.mkdir(parents=True, exist_ok=True)
    kernels.astype("<f4").tofile(out / "kernels.f32")
    machine = {
        "format": "beamlet-photon-machine",
        "version": 1,
        "name": "Generic 6 MV",
        "engine": "svd-pencil-beam",
        "radiation": "PHOTON",
        "energy_MV": meta["energy_MV"],
        "source": "matRad photons_Generic.mat (github e0404/matRad, BSD-3), "
        "created " + meta["meta"]["created_on"] + " by " + meta["meta"]["created_by"],
        "sad_mm": meta["meta"]["SAD"],
        "scd_mm": meta["meta"]["SCD"],
        "primary_attenuation_per_mm": meta["m_per_mm"],
        "kernel_betas_per_mm": meta["betas_per_mm"],
        "penumbra_fwhm_at_iso_mm": meta["penumbraFWHMatIso_mm"],
        "kernels": {
            "file": "kernels.f32",
            "layout": "float32 little-endian [ssd][kernel][radius]",
            "ssd_first_mm": ssd["first"],
            "ssd_step_mm": ssd["step"],
            "ssd_count": ssd["count"],
            "radius_first_mm": pos["first"],
            "radius_step_mm": pos["step"],
            "radius_count": pos["count"],
            "count": 3,
            "cell_mm": 0.5,
        },
        "calibration": {
            "comment": "fluence weight per MU chosen so that a square field of field_mm at "
            "ssd_mm gives gy_per_mu at depth_mm in water",
            "field_mm": 100,
            "ssd_mm": 1000,
            "depth_mm": 15,
            "gy_per_mu": 0.01,
        },
    }
    (out / "machine.json").write_text(json.dumps(machine, indent=1) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Water-phantom dose validation: computed open-field 6 MV dose against measured water-tank scans.

What: compares the depth dose (PDD) and profiles that Beamlet's photon engine computes for an open field in a
water box (CSV + meta.json) with PTW MEPHYSTO .mcc scans, by a 1-D global gamma index (Low et al. 1998, Med Phys
25:656-661, doi:10.1118/1.598248) and beam-data numbers (dmax, PDD at 100 mm, penumbra, field width); writes
dose.md, dose-pdd.png and dose-profiles.png into --out, nothing else. Why: an engine must reproduce a real
machine's beam data before it is trusted. The scans are from another linac, so this is a commissioning report,
not a pass/fail test: exit code 0 whatever the pass rates, 1 (one-line message) for missing or broken input.
Usage: water_dose.py --computed DIR --measured DIR_OR_MCC --out DIR; --self-test [--keep DIR] checks the script.
"""
import argparse
import contextlib
import csv
import io
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEFAULT_MEASURED = "/work/shared/data/beam/water-6mv/measurements"
TITLE = "Dose validation: water phantom vs measured 6 MV scans"
OUTPUTS = ("dose.md", "dose-pdd.png", "dose-profiles.png")
DOSE_PCT, DTA_MM, STEP_MM = 2.0, 2.0, 0.1  # global gamma: 2 % of the normalisation value / 2 mm
LOW_CUT = 0.10       # evaluate measured points above 10 % of the measured maximum
BUILDUP_MM = 5.0     # PDD points shallower than this are not evaluated (build-up region)
PDD_NORM_MM = 100.0  # both PDDs are normalised to their own value at this depth
DEPTHS_MM = (50, 100)
# (.mcc curve type, computed file prefix, label, file required)
PLANES = (("CROSSPLANE_PROFILE", "profile", "crossplane", True), ("INPLANE_PROFILE", "inplane", "inplane", False))

class InputError(Exception):
    """Missing or broken input: reported as one line, exit code 1."""

def num(header, key):
    """Header value as a float; None when absent or not a number."""
    value = header.get(key, "")
    return float(value) if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", value) else None

def parse_mcc(path):
    """Scans of a MEPHYSTO .mcc export (BEGIN_SCAN ... END_SCAN blocks of KEY=VALUE lines and a BEGIN_DATA table
    of position mm, reading [, ignored columns]): header, type, depth, ssd, field (x, y) mm, x/y sorted by x."""
    try:
        text = Path(path).read_text(encoding="latin-1")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    scans = []
    for block in re.finditer(r"^[ \t]*BEGIN_SCAN\b[ \t]*(\S*)[ \t]*$(.*?)^[ \t]*END_SCAN\b", text, re.M | re.S):
        h = dict(reversed(re.findall(r"^\s*(\w+)=(.*?)\s*$", block[2], re.M)))  # the first of a repeated key wins
        data = re.search(r"^\s*BEGIN_DATA\s*$(.*?)^\s*END_DATA", block[2], re.M | re.S)
        try:
            a = np.array(sorted(tuple(map(float, r.split()[:2])) for r in data[1].splitlines() if r.strip()))
        except (TypeError, ValueError):
            a = np.zeros(0)
        if "SCAN_CURVETYPE" not in h or a.ndim != 2 or a.shape[1] != 2 or len(a) < 3:
            raise InputError(f"{path}: scan {block[1]} lacks SCAN_CURVETYPE or readable data")
        scans.append({"file": Path(path).name, "index": block[1], "header": h, "type": h["SCAN_CURVETYPE"],
                      "depth": num(h, "SCAN_DEPTH"), "ssd": num(h, "SSD"), "x": a[:, 0], "y": a[:, 1],
                      "field": (num(h, "FIELD_CROSSPLANE"), num(h, "FIELD_INPLANE"))})
    if len(scans) != len(re.findall(r"^[ \t]*BEGIN_SCAN\b", text, re.M)):
        raise InputError(f"{path}: a BEGIN_SCAN block has no END_SCAN")
    return scans

def load_measured(where):
    """All scans of one .mcc file, or of every .mcc file in a folder."""
    p = Path(where)
    files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".mcc") if p.is_dir() else [p]
    if not files or not files[0].is_file():
        raise InputError(f"no .mcc files at {where}")
    return [s for f in files for s in parse_mcc(f)]

def select(scans, ctype, field, ssd, depth=None):
    """The open (no wedge, no FFF block) 6 MV photon scan of this type, field, SSD and depth, matched exactly
    (to 0.01 mm). Identical copies in several files are fine; none, or two that differ, is an InputError."""
    same = lambda a, b: a is not None and abs(a - b) < 0.01  # noqa: E731
    what = f"{ctype} {field[0]:g}x{field[1]:g} mm SSD {ssd:g} mm" + (f" depth {depth:g} mm" if depth else "")
    hits = [s for s in scans if s["type"] == ctype and same(s["ssd"], ssd) and same(s["field"][0], field[0])
            and same(s["field"][1], field[1]) and (depth is None or same(s["depth"], depth))
            and same(num(s["header"], "ENERGY"), 6.0) and s["header"].get("MODALITY", "X") == "X"
            and not num(s["header"], "WEDGE_ANGLE") and not s["header"].get("WEDGE") and not s["header"].get("BLOCK")]
    if not hits:
        raise InputError(f"no measured open 6 MV scan for {what}")
    if any(not (np.array_equal(s["x"], hits[0]["x"]) and np.array_equal(s["y"], hits[0]["y"])) for s in hits):
        names = ", ".join(sorted({s["file"] for s in hits}))
        raise InputError(f"measured scans for {what} differ between {names}; pass one .mcc file as --measured")
    hits[0]["sources"] = [f"`{s['file']}` scan {s['index']}" for s in hits]
    return hits[0]

def read_curve(path, xname):
    """A two-column CSV with the header 'xname,dose_Gy'; returns (x, dose) sorted by x."""
    if not path.is_file():
        raise InputError(f"missing computed file {path}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
        if not rows or [c.strip() for c in rows[0]] != [xname, "dose_Gy"]:
            raise InputError(f"{path}: header must be '{xname},dose_Gy'")
        a = np.array([[float(r[0]), float(r[1])] for r in rows[1:] if len(r) == 2]).reshape(-1, 2)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{path}: unreadable ({type(e).__name__})")
    a = a[np.argsort(a[:, 0], kind="stable")]
    if len(a) != len(rows) - 1 or len(a) < 3 or not np.all(np.isfinite(a)) or np.any(np.diff(a[:, 0]) <= 0):
        raise InputError(f"{path}: needs at least 3 rows of two finite numbers, each {xname} once")
    return a[:, 0], a[:, 1]

def read_meta(folder):
    """meta.json: field_mm [crossplane X, inplane Y], ssd_mm, and for the report grid_mm, machine, engine."""
    p = Path(folder) / "meta.json"
    try:
        m = json.loads(p.read_text())
        (fx, fy), ssd = [float(v) for v in m["field_mm"]], float(m["ssd_mm"])
    except FileNotFoundError:
        raise InputError(f"missing computed file {p}")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"{p}: needs field_mm [x, y] and ssd_mm ({type(e).__name__})")
    return m, (fx, fy), ssd

def gamma_1d(x_ref, d_ref, x_ev, d_ev, dd, dta=DTA_MM, step=STEP_MM):
    """Gamma per reference point (Low et al. 1998): min over offsets r, in `step` mm steps within +-3*dta and inside
    the evaluated curve, of sqrt((r/dta)^2 + (dD(r)/dd)^2), the evaluated curve linearly interpolated. Exact up to
    gamma 3; NaN for reference points outside the evaluated curve's range."""
    n = int(round(3 * dta / step))
    offs = np.arange(-n, n + 1) * step
    xs = x_ref[:, None] + offs[None, :]
    inside = (xs >= x_ev[0]) & (xs <= x_ev[-1])
    g2 = (offs[None, :] / dta) ** 2 + ((np.interp(xs, x_ev, d_ev) - d_ref[:, None]) / dd) ** 2
    g = np.sqrt(np.where(inside, g2, np.inf).min(axis=1))
    g[(x_ref < x_ev[0]) | (x_ref > x_ev[-1])] = np.nan
    return g

def crossing(x, y, level, side):
    """Position where y first falls below `level`, walking out from x = 0 towards side -1 or +1."""
    i = int(np.argmin(np.abs(x)))
    while 0 <= i + side < len(x):
        j = i + side
        if y[j] < level <= y[i]:
            return x[i] + (level - y[i]) * (x[j] - x[i]) / (y[j] - y[i])
        i = j
    return np.nan

def numbers(kind, x, y):
    """Beam-data numbers of one normalised curve. PDD: dmax as the vertex of a parabola through the three
    samples around the maximum, D(100 mm)/D(dmax) in %. Profile: 50 % width, 80-20 % penumbra per side,
    centre (midpoint of the 50 % points), all relative to the central-axis value."""
    if kind == "pdd":
        i = int(np.argmax(y))
        a, b, c = np.polyfit(x[i - 1:i + 2], y[i - 1:i + 2], 2) if 0 < i < len(x) - 1 else (0, 0, 0)
        dmax, peak = (-b / (2 * a), c - b * b / (4 * a)) if a < 0 else (x[i], y[i])
        return {"dmax": dmax, "pdd100": 100 * np.interp(PDD_NORM_MM, x, y) / peak}
    e = {(lv, s): crossing(x, y, lv, s) for lv in (20, 50, 80) for s in (-1, 1)}
    return {"width": e[50, 1] - e[50, -1], "pen_l": e[80, -1] - e[20, -1], "pen_r": e[20, 1] - e[80, 1],
            "centre": (e[50, 1] + e[50, -1]) / 2}

def evaluate(kind, meas, comp):
    """Normalise both curves (PDD: 100 at 100 mm depth; profile: 100 at x = 0), gamma of the computed curve
    at the measured points (measured = reference) and the beam-data numbers of both."""
    ref, norm = (PDD_NORM_MM if kind == "pdd" else 0.0), []
    for name, (x, y) in (("measured", meas), ("computed", comp)):
        v = np.interp(ref, x, y) if x[0] <= ref <= x[-1] else np.nan
        if not v > 0:
            raise InputError(f"{name} {kind} has no positive dose at {ref:g} mm to normalise to")
        norm.append((x, 100.0 * y / v))
    (xm, nm), (xc, nc) = norm
    mask = (nm >= LOW_CUT * nm.max()) & ((xm >= BUILDUP_MM) if kind == "pdd" else True)
    g = np.where(mask, gamma_1d(xm, nm, xc, nc, dd=DOSE_PCT), np.nan)  # dd: 2 % of the normalisation value
    ok = g[np.isfinite(g)]
    stats = (100.0 * np.mean(ok <= 1), ok.mean(), ok.max()) if len(ok) else (np.nan,) * 3
    return {"kind": kind, "xm": xm, "nm": nm, "xc": xc, "nc": nc, "gamma": g, "n": len(ok),
            "missed": int(mask.sum()) - len(ok), **dict(zip(("pass", "mean", "max"), stats)),
            "comp": numbers(kind, xc, nc), "meas": numbers(kind, xm, nm)}

def compare(computed, measured):
    """Read one computed folder, select the matching measured scans, evaluate every curve."""
    meta, field, ssd = read_meta(computed)
    scans = load_measured(measured)
    jobs = [("PDD", "pdd", Path(computed) / "pdd.csv", "depth_mm", select(scans, "PDD", field, ssd))]
    for ctype, prefix, label, required in PLANES:
        for d in DEPTHS_MM:
            p = Path(computed) / f"{prefix}_{d}mm.csv"
            if required or p.exists():
                jobs.append((f"{label} {d} mm", "profile", p, "offaxis_mm", select(scans, ctype, field, ssd, d)))
    curves = [(lab, s, evaluate(kind, (s["x"], s["y"]), read_curve(p, xn))) for lab, kind, p, xn, s in jobs]
    return meta, field, ssd, curves

def fmt(v, f="{:.1f}"):
    return "n/a" if v is None or not np.isfinite(v) else f.format(v)

def plot_curve(ax, label, r):
    """Measured line, computed markers, gamma on a second axis."""
    pdd = r["kind"] == "pdd"
    if pdd:
        ax.axvspan(r["xm"][0], BUILDUP_MM, color="0.85", label="build-up, not evaluated")
    ax.plot(r["xm"], r["nm"], "k-", lw=1.2, label="measured")
    ax.plot(r["xc"], r["nc"], "o", ms=2.5, color="C0", label="computed")
    ax.set(xlim=(r["xm"][0], r["xm"][-1]), ylim=(0, None), xlabel="depth (mm)" if pdd else "off-axis position (mm)",
           ylabel="dose (% of value at 100 mm)" if pdd else "dose (% of central axis)")
    ax.set(title=f"{label}: gamma 2%/2 mm pass {fmt(r['pass'])}%")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(r["xm"], r["gamma"], ".", ms=3, color="C3", label="gamma")
    ax2.axhline(1.0, color="C3", ls="--", lw=0.8)
    ax2.set(ylim=(0, max(2.0, 1.1 * np.nanmax(np.append(r["gamma"], 0)))), ylabel="gamma")
    (h1, l1), (h2, l2) = ax.get_legend_handles_labels(), ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper right" if pdd else "center")  # clear of curve and gamma

def write_outputs(out, meta, field, ssd, curves, measured):
    """dose-pdd.png, dose-profiles.png and dose.md in `out`; nothing else is written."""
    Path(out).mkdir(parents=True, exist_ok=True)
    ncol = 2 if len(curves) > 3 else 1  # profiles: crossplane in the first column, inplane in the second
    nrow = (len(curves) - 1 + ncol - 1) // ncol
    for name, panels, shape in ((OUTPUTS[1], curves[:1], (1, 1)), (OUTPUTS[2], curves[1:], (nrow, ncol))):
        fig, axes = plt.subplots(*shape, figsize=(8, 5) if shape == (1, 1) else (6.5 * ncol, 4.2 * nrow), squeeze=False)
        for ax, (label, _, r) in zip(axes.T.ravel(), panels):
            plot_curve(ax, label, r)
        for ax in axes.T.ravel()[len(panels):]:
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(Path(out) / name, dpi=110)
        plt.close(fig)
    (Path(out) / OUTPUTS[0]).write_text(markdown(meta, field, ssd, curves, measured), encoding="utf-8")

def readme_quote(measured):
    """The data README's bullet on this data set (its provenance), from the first README.md above it."""
    for d in Path(measured).resolve().parents:
        text = (d / "README.md").read_text(errors="replace") if (d / "README.md").is_file() else ""
        found = re.search(r"^- (`water-6mv/`.*\n(?:  .*\n?)*)", text, re.M)
        if found:
            return " ".join(found.group(1).split())
    return "(no data README describing this folder was found)"

def markdown(meta, field, ssd, curves, measured):
    """The report text: provenance, method, result tables, plots, notes on the measured data."""
    (_, pdd, p), h, hp = curves[0], curves[0][1]["header"].get, curves[1][1]["header"].get
    rows = []
    for lab, s, r in curves:
        n = f"{r['n']}" + (f" ({r['missed']} outside the computed range)" if r["missed"] else "")
        beam = [f"{fmt(r['comp'][k])} / {fmt(r['meas'][k])}" if k in r["comp"] else ""
                for k in ("dmax", "pdd100", "width", "pen_l", "pen_r", "centre")]
        rows.append(" | ".join([lab, "; ".join(s["sources"]), n, f"{fmt(r['pass'])} %", fmt(r["mean"], "{:.2f}"),
                                fmt(r["max"], "{:.2f}"), *beam]))
    table = "\n".join(f"| {row} |" for row in rows)
    return f"""# {TITLE}

Generated by `tests/validation/water_dose.py`: a commissioning aid, not a pass/fail test. The measurement comes
from another linac than the engine's beam model, so differences are expected; finding and tuning them is what
commissioning is for.

## Provenance

- **Computed:** engine `{meta.get('engine', '?')}`, machine `{meta.get('machine', '?')}`; open field {field[0]:g} x
  {field[1]:g} mm (crossplane x inplane), SSD {ssd:g} mm, gantry 0, water box, dose grid {meta.get('grid_mm', '?')} mm
  (from `meta.json`).
- **Measured:** PTW MEPHYSTO `.mcc` exports, linac `{h('LINAC', '?')}`; PDD: {h('DETECTOR_NAME', '?')},
  {h('MEAS_DATE', '?')}; profiles: {hp('DETECTOR_NAME', '?')}, {hp('MEAS_DATE', '?')}. The shared data README
  (section `beam/`) says: {readme_quote(measured)}

## Method

- **Normalisation** (the measurement is relative: shapes are compared, not absolute dose): both PDDs, computed
  and measured, to their own value at {PDD_NORM_MM:g} mm depth; each profile, computed and measured, to its own
  central-axis value (x = 0); both = 100 %.
- **Gamma:** 1-D global gamma (Low et al. 1998, Med Phys 25:656, doi:10.1118/1.598248), measured points as
  reference, {DOSE_PCT:g} % of the normalisation value (for the PDD of D({PDD_NORM_MM:g} mm), i.e.
  {DOSE_PCT * p['meas']['pdd100'] / 100:.1f} % of the measured D(dmax)) / {DTA_MM:g} mm; the computed curve is
  linearly interpolated and searched in {STEP_MM:g} mm steps within +-{3 * DTA_MM:g} mm. Evaluated: measured points
  above {LOW_CUT:.0%} of the measured maximum; for the PDD only depths >= {BUILDUP_MM:g} mm (the build-up region
  is excluded). Pass: gamma <= 1.
- **Beam data:** dmax = vertex of a parabola through the three samples around the maximum; penumbra = distance
  of the 80 % and 20 % points per side; field width = distance of the 50 % points, centre = their midpoint; all
  at the profile's depth; cells are computed / measured, in mm. A 2 mm grid broadens a penumbra by tenths of a mm.

## Results

| Curve | Measured scan | Points evaluated | Gamma pass (2 %/2 mm) | Mean gamma | Max gamma | dmax | D(100 mm) / D(dmax) (%) | 50 % field width | Penumbra 80-20 % left | Penumbra right | Centre |
|---|---|---|---|---|---|---|---|---|---|---|---|
{table}

![PDD: computed vs measured, gamma on the right axis](dose-pdd.png)

![Profiles: computed vs measured, gamma on the right axis](dose-profiles.png)

## Notes on the measured data

- Header unit `{h('MEAS_UNIT', '?')}`, but the detectors are marked uncalibrated and the PDD peaks at
  {pdd['y'].max():.3g}: relative values, PDD and profiles from different detectors and sessions.
- Profiles carry `CORRECTIONS={hp('CORRECTIONS', '?')}`: symmetrised by the vendor software, so the measured
  centre is 0 by construction. Positions scale with depth; the field size is defined at the isocentre (1000 mm).
- PDD chamber radius {h('DETECTOR_RADIUS', '?')} mm: the header does not say whether the shift to the effective
  point of measurement (about 0.6 r) was applied; the chamber also blurs the build-up region.
"""

def write_synthetic(folder, measured, shift=0.0, scale=1.0, field=(100.0, 100.0), ssd=900.0):
    """A computed-like folder from the measured scans resampled onto a 2 mm grid (PDD at 1, 3, 5 ... mm, profiles
    at 0, +-2 ... mm), shifted by `shift` mm (deeper, or towards +x), dose scaled by `scale` (1 Gy = measured max)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    scans = load_measured(measured)
    jobs = [("pdd.csv", "depth_mm", select(scans, "PDD", field, ssd), np.arange(1.0, 352.0, 2.0))]
    jobs += [(f"{prefix}_{d}mm.csv", "offaxis_mm", select(scans, ctype, field, ssd, d), np.arange(-150.0, 151.0, 2.0))
             for ctype, prefix, _, _ in PLANES for d in DEPTHS_MM]
    for name, xname, s, grid in jobs:
        dose = scale * np.interp(grid - shift, s["x"], s["y"]) / s["y"].max()
        (Path(folder) / name).write_text(f"{xname},dose_Gy\n" + "".join(f"{x:g},{v:.6f}\n" for x, v in zip(grid, dose)))
    (Path(folder) / "meta.json").write_text(json.dumps({
        "field_mm": list(field), "ssd_mm": ssd, "grid_mm": 2, "machine": "synthetic: the measured scans, resampled",
        "engine": f"synthetic (shift {shift:g} mm, dose x {scale:g})"}))

def self_test(measured, keep=None):
    """Checks the gamma code and the whole pipeline on synthetic inputs made from the measured scans (identical,
    dose-scaled, shifted 1 mm and 1 %, shifted 3 mm) and on broken inputs; prints PASS/FAIL lines. With `keep`
    the synthetic sets and a sample report (of the 1 mm / 1 % set, in keep/report) stay in that folder."""
    fails = []

    def check(name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))
        fails.extend([] if ok else [name])

    def run(computed, out):  # main() on one folder: (exit code, stderr)
        with contextlib.redirect_stderr(io.StringIO()) as err:
            return main(["--computed", str(computed), "--measured", str(measured), "--out", str(out)]), err.getvalue()

    x = np.arange(0.0, 50.0, 1.0)
    g1 = gamma_1d(x, np.full_like(x, 100.0), x, np.full_like(x, 103.0), dd=2.0)
    g2 = gamma_1d(x[10:40], 10 * x[10:40], x, 10 * (x - 1.0), dd=2.0)
    check("gamma: flat curve 3 % high gives 1.5; 10 %/mm ramp shifted 1 mm gives 0.5",
          np.allclose(g1, 1.5) and np.allclose(g2, 0.4975, atol=0.01), f"{g1.mean():.3f}, {g2.mean():.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp, res = Path(keep or tmp), {}
        for name, shift, scale in (("identical", 0, 1), ("dose-x1.05", 0, 1.05), ("shift-1mm-dose-x1.01", 1, 1.01),
                                   ("shift-3mm", 3, 1)):
            write_synthetic(tmp / name, measured, shift, scale)
            res[name] = {lab: r for lab, _, r in compare(tmp / name, measured)[3]}
            print(f"  {name}: " + "; ".join(f"{lab} {r['pass']:.1f}% mean {r['mean']:.3f} max {r['max']:.2f} n={r['n']}"
                                          for lab, r in res[name].items()))
        ident, shifted = res["identical"], res["shift-1mm-dose-x1.01"]
        check("identical copy: 5 curves, 100 % pass, max gamma < 0.5",
              len(ident) == 5 and all(r["pass"] == 100 and r["max"] < 0.5 for r in ident.values()))
        check("a global dose scale cancels in the normalisation", all(np.allclose(
            r["gamma"], ident[k]["gamma"], atol=1e-3, equal_nan=True) for k, r in res["dose-x1.05"].items()))
        check("shift 1 mm, dose x 1.01: 100 % pass, max gamma 0.3..0.8, mean above the identical copy's", all(
            r["pass"] == 100 and 0.3 <= r["max"] <= 0.8 and r["mean"] > ident[k]["mean"] for k, r in shifted.items()))
        check("shift 3 mm: every profile fails in the penumbra",
              all(r["pass"] < 100 and r["max"] > 1 for k, r in res["shift-3mm"].items() if k != "PDD"))
        p, m, s = ident["PDD"], ident["crossplane 100 mm"], shifted["crossplane 100 mm"]
        diff = lambda r, k: abs(r["comp"][k] - r["meas"][k])  # noqa: E731
        check("numbers: identical PDD(100)/dmax and width agree, shifted centre moves 1 mm", diff(p, "pdd100") < 0.3
              and diff(m, "width") < 0.3 and diff(s, "width") < 0.3 and abs(s["comp"]["centre"] - 1) < 0.1)
        (out := tmp / "report").mkdir(exist_ok=True)
        (out / "other.md").write_text("keep")
        rc, err = run(tmp / "shift-1mm-dose-x1.01", out)
        made = sorted(p.name for p in out.iterdir())
        check("report: exit 0, writes only its three files", rc == 0 and made == sorted(OUTPUTS + ("other.md",))
              and (out / "other.md").read_text() == "keep" and TITLE in (out / "dose.md").read_text(), ", ".join(made))
        (out / "other.md").unlink()
        (tmp / "bad").mkdir(exist_ok=True)
        for what, name, text in (("missing pdd.csv", "pdd.csv", None), ("bad header", "pdd.csv", "depth,dose\n1,2\n"),
                                 ("non-numeric row", "pdd.csv", "depth_mm,dose_Gy\n1,2\n3,x\n5,1\n"),
                                 ("broken meta.json", "meta.json", "{"), ("missing folder", None, None),
                                 ("no matching scan (70x70)", "meta.json", '{"field_mm": [70, 70], "ssd_mm": 900}')):
            for f in ("meta.json", "profile_50mm.csv", "profile_100mm.csv", "pdd.csv"):
                (tmp / "bad" / f).write_bytes((tmp / "identical" / f).read_bytes())
            (tmp / "bad" / "pdd.csv").unlink() if text is None else (tmp / "bad" / name).write_text(text)
            rc, err = run(tmp / ("bad" if name else "nowhere"), tmp / "out-of-failed-runs")
            check(f"{what}: exit 1, one line", rc == 1 and err.count("\n") == 1, err.strip())
        check("failed runs write nothing", not (tmp / "out-of-failed-runs").exists())
    print(f"{'PASS' if not fails else 'FAIL'}: self-test, {len(fails)} failure(s)")
    return 1 if fails else 0

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--computed", help="folder with pdd.csv, profile_50mm.csv, profile_100mm.csv, meta.json")
    ap.add_argument("--measured", default=DEFAULT_MEASURED, help="folder of .mcc files, or one .mcc file")
    ap.add_argument("--out", help="folder for dose.md, dose-pdd.png, dose-profiles.png")
    ap.add_argument("--self-test", action="store_true", help="check this script on synthetic inputs")
    ap.add_argument("--keep", metavar="DIR", help="with --self-test: keep the synthetic sets and a sample report here")
    a = ap.parse_args(argv)
    try:
        if a.self_test:
            return self_test(a.measured, a.keep)
        if not (a.computed and a.out):
            raise InputError("--computed and --out are required (or --self-test)")
        meta, field, ssd, curves = compare(a.computed, a.measured)
        write_outputs(a.out, meta, field, ssd, curves, a.measured)
        print("gamma 2%/2 mm pass: " + ", ".join(f"{lab} {fmt(r['pass'])}% (max {fmt(r['max'], '{:.2f}')})"
                                                 for lab, _, r in curves))
        print("wrote " + ", ".join(str(Path(a.out) / o) for o in OUTPUTS))
        return 0
    except (InputError, OSError) as e:  # OSError: e.g. an unreadable folder or a full disk
        print(f"water_dose.py: error: {e}", file=sys.stderr)
        return 1

if __name__ == "__main__":
    sys.exit(main())

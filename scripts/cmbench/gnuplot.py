# SPDX-License-Identifier: GPL-2.0
"""Drawing a Figure with gnuplot: data files, a script, PNG and SVG.

Each figure gets data/<id>-<panel>.dat (one block per series: x, y,
samples, nents) and data/<id>.<png|svg>.gp, the scripts gnuplot ran (from
the plots folder), so a figure can be redrawn or restyled by hand.  Points with fewer than FEW_SAMPLES samples
are circled, and the key says so.
"""

import os
import shutil
import subprocess

from .data import FEW_SAMPLES

# Line colours that stay readable on white (gnuplot's sixth default is yellow).
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
          "#17becf", "#7f7f7f", "#bcbd22")


def color(i):
    return f'rgb "{COLORS[i % len(COLORS)]}"'


class GnuplotError(Exception):
    pass


def gq(s):
    """A gnuplot single-quoted string."""
    return "'" + str(s).replace("'", "''") + "'"


def gdq(s):
    """A gnuplot double-quoted string: the one kind where \\n breaks a line."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def png_terminal():
    try:
        out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                             text=True, check=False)
    except OSError:
        return "png"
    return "pngcairo" if "pngcairo" in (out.stdout + out.stderr) else "png"


def write_data(fig, data_dir):
    """One .dat file per panel; returns their paths."""
    files = []
    for i, panel in enumerate(fig.panels, 1):
        path = os.path.join(data_dir, f"{fig.id}-{i}.dat")
        with open(path, "w", encoding="utf-8") as f:
            for j, s in enumerate(panel.series):
                if j:
                    f.write("\n\n")
                f.write(f"# {s.label}\n# x y samples nents\n")
                for p in s.points:
                    f.write(f"{p.x:.10g} {p.y:.10g} {p.n} {p.nents}\n")
        files.append(path)
    return files


def script(fig, files, outfile, term, title):
    """The gnuplot script that draws fig into outfile."""
    np_ = len(fig.panels)
    cols = 1 if np_ <= 1 else 2
    rows = (np_ + cols - 1) // cols
    pw = 900 if np_ <= 1 else 640
    ph = 520
    size = f"{cols * pw}, {rows * ph + 70}"
    if term == "svg":
        t = f'set terminal svg size {size} dynamic noenhanced font "sans,11" background rgb "white"'
    elif term == "pngcairo":
        t = f'set terminal pngcairo size {size} noenhanced font "sans,10"'
    else:
        t = f"set terminal png size {size} noenhanced"
    out = [
        "# written by cmbench (scripts/cmbench/gnuplot.py)",
        "set encoding utf8",
        # %c writes µ, not u, for 1e-6 (a time axis: µs)
        "set micro",
        t,
        f"set output {gq(outfile)}",
        'set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1',
        # the key's box a line taller than its entries, and the axis label
        # lifted a little: gnuplot's margin below leaves them touching
        'set key below left box samplen 2 font ",8" maxrows 6 height 1',
        f"set xlabel {gq(fig.xlabel)} offset 0,0.3",
        f"set ylabel {gq(fig.ylabel)}",
        "set logscale x 2" if fig.logx else "unset logscale x",
        "set logscale y 10" if fig.logy else "unset logscale y",
        'set format x "%.0b%B"' if fig.xbytes else 'set format x "%g"',
        ('set format y "%.0s %cs"' if fig.ytime else
         'set format y "%.0s%c"' if fig.ysi else 'set format y "%g"'),
        "set pointsize 0.8",
        f"set xtics {fig.xtics}" if fig.xtics else "set xtics autofreq",
        f"set multiplot layout {rows}, {cols} title {gdq(title)} font \",12\"",
    ]
    # the data stay in ns; a time axis draws them in seconds
    y = "($2*1e-9)" if fig.ytime else "2"           # a column spec
    yval = "($2*1e-9)" if fig.ytime else "$2"       # the same in an expression
    for panel, path in zip(fig.panels, files):
        out.append(f"set title {gq(panel.title)}")
        parts = []
        for i, s in enumerate(panel.series):
            parts.append(f"{gq(path)} index {i} using 1:{y} with linespoints lw 2 "
                         f"lc {color(i)} pt {i % 13 + 1} title {gq(s.label)}")
        few = [i for i, s in enumerate(panel.series) if any(p.n < FEW_SAMPLES for p in s.points)]
        for k, i in enumerate(few):
            title = gq(f"fewer than {FEW_SAMPLES} samples") if k == 0 else "notitle"
            if k == 0:
                title = "title " + title
            parts.append(f"{gq(path)} index {i} using 1:($3 < {FEW_SAMPLES} ? {yval} : 1/0) "
                         f"with points pt 6 ps 2 lc rgb \"black\" {title}")
        if fig.nents_labels:
            for i, _ in enumerate(panel.series):
                parts.append(f"{gq(path)} index {i} using 1:{y}:4 with labels offset 0,0.6 "
                             f"font \",7\" tc {color(i)} notitle")
        if fig.yone:
            parts.append('1 with lines dt 2 lc rgb "#808080" notitle')
        if fig.yzero:
            parts.append('0 with lines dt 2 lc rgb "#808080" notitle')
        out.append("plot " + ", \\\n\t".join(parts))
    out += ["unset multiplot", "set output", ""]
    return "\n".join(out)


def draw(fig, out_dir, subtitle):
    """Draws fig as out_dir/<id>.png and .svg, its data in out_dir/data."""
    if shutil.which("gnuplot") is None:
        raise GnuplotError("gnuplot is not installed (apt-get install gnuplot-nox)")
    data_dir = os.path.join(out_dir, "data")
    os.makedirs(data_dir, exist_ok=True)
    # paths relative to out_dir, where gnuplot runs: a results folder can
    # be moved and its figures redrawn with "cd plots && gnuplot data/ID.png.gp"
    files = [os.path.relpath(f, out_dir) for f in write_data(fig, data_dir)]
    # two lines: the figure's own title and where it was measured, which
    # together are wider than two panels
    title = f"{fig.title}\n{subtitle}"
    for term, ext in ((png_terminal(), "png"), ("svg", "svg")):
        gp = os.path.join("data", f"{fig.id}.{ext}.gp")
        with open(os.path.join(out_dir, gp), "w", encoding="utf-8") as f:
            f.write(script(fig, files, f"{fig.id}.{ext}", term, title))
        res = subprocess.run(["gnuplot", gp], cwd=out_dir, capture_output=True, text=True,
                             check=False)
        if res.returncode:
            raise GnuplotError(f"gnuplot failed on {gp}: {res.stderr.strip()}")

# Latency against throughput for scripts/bench (called by scripts/lib/bench_report.py with
# dir='DATA DIR' and out='PNG'). Open-loop runs are lines (p50 dashed, p99 solid); closed-loop
# runs are points at their p99, labelled with the connections.
set terminal pngcairo size 1100,650 font "DejaVu Sans,10"
set output out
set title "ledgerd on loopback: latency against throughput (2 cores shared by client and server)"
set xlabel "answered requests per second"
set ylabel "latency (ms, log scale)"
set logscale x
set logscale y
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key outside right top
plot \
  dir."/http-debit-open.dat" using 1:3 with linespoints lw 2 pt 7 lc rgb "#c0392b" title "debit, open loop p99", \
  dir."/http-debit-open.dat" using 1:4 with linespoints lw 1 pt 6 lc rgb "#e6a19a" title "debit, open loop p99.9", \
  dir."/http-debit-open.dat" using 1:2 with linespoints lw 1 dt 2 pt 1 lc rgb "#c0392b" title "debit, open loop p50", \
  dir."/http-balance-open.dat" using 1:3 with linespoints lw 2 pt 5 lc rgb "#2471a3" title "balance, open loop p99", \
  dir."/http-balance-open.dat" using 1:4 with linespoints lw 1 pt 4 lc rgb "#9cc3e0" title "balance, open loop p99.9", \
  dir."/http-balance-open.dat" using 1:2 with linespoints lw 1 dt 2 pt 1 lc rgb "#2471a3" title "balance, open loop p50", \
  dir."/http-debit-closed.dat" using 1:2 with points pt 9 ps 1.5 lc rgb "#c0392b" title "debit, wrk p99", \
  dir."/http-debit-closed.dat" using 1:2:(sprintf(" %d", $3)) with labels left offset 0.5,0 tc rgb "#c0392b" notitle, \
  dir."/http-balance-closed.dat" using 1:2 with points pt 11 ps 1.5 lc rgb "#2471a3" title "balance, wrk p99", \
  dir."/http-balance-closed.dat" using 1:2:(sprintf(" %d", $3)) with labels left offset 0.5,0 tc rgb "#2471a3" notitle, \
  dir."/fixed-json-closed.dat" using 1:2 with points pt 13 ps 1.5 lc rgb "#27ae60" title "nginx fixed JSON, wrk p99", \
  dir."/fixed-json-closed.dat" using 1:2:(sprintf(" %d", $3)) with labels left offset 0.5,0 tc rgb "#27ae60" notitle, \
  dir."/pg-debit-closed.dat" using 1:2 with points pt 15 ps 1.5 lc rgb "#7d3c98" title "PostgreSQL debit, pgbench p99", \
  dir."/pg-debit-closed.dat" using 1:2:(sprintf(" %d", $3)) with labels left offset 0.5,0 tc rgb "#7d3c98" notitle

set terminal svg enhanced font 'Sans,10' size 900,440 background '#ffffff'
set output '/work/quickrun/figures/layer-sparsity/fig-layers.svg'
set ylabel 'sparsity (%)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by 90 right font ',8'
set yrange [0.0:100.0]
set label 99 'inpainting, round 6, global 73.8 %' at graph 0.99, graph 0.97 right font ',8' tc rgb '#555555'
$bars << EOD
"1 1x1 32→4" 59.375
"2 3x3 32→128" 76.35633680555556
"3 3x3 128→128" 52.57093641493056
"4 1x1 128→4" 69.140625
"5 3x3 128→128" 53.66889105902778
"6 3x3 128→128" 57.241482204861114
"7 1x1 128→4" 83.7890625
"8 3x3 128→128" 60.293240017361114
"9 3x3 128→128" 66.72295464409721
"10 1x1 128→4" 88.28125
"11 3x3 128→128" 71.32568359375
"12 3x3 128→128" 77.65706380208334
"13 1x1 128→4" 87.890625
"14 3x3 128→128" 79.89027235243056
"15 3x3 128→128" 81.60875108506944
"16 3x3 132→128" 85.81123737373737
"17 1x1 128→128" 88.043212890625
"18 3x3 132→128" 85.23516414141415
"19 1x1 128→128" 88.24462890625
"20 3x3 132→128" 84.72090698653199
"21 1x1 128→128" 87.9150390625
"22 3x3 132→128" 83.42868792087542
"23 1x1 128→128" 87.1826171875
"24 3x3 132→128" 83.71869739057239
"25 1x1 128→128" 77.35595703125
"26 1x1 128→3" 82.8125
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'inpainting'
unset output
set terminal pngcairo enhanced font 'Sans,10' size 900,480
set output 'fig-layers.png'
set ylabel 'sparsity (%)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key top left box opaque
set xtics rotate by 90 right font ',8'
set yrange [0.0:100.0]
set label 99 'inpainting, round 4, global 59.0 %' at graph 0.99, graph 0.97 right font ',8' tc rgb '#555555'
$bars << EOD
"skip1 1x1 32→4" 43.75
"down1.conv1 3x3 32→128" 64.013671875
"down1.conv2 3x3 128→128" 34.21156141493056
"skip2 1x1 128→4" 56.0546875
"down2.conv1 3x3 128→128" 35.122341579861114
"down2.conv2 3x3 128→128" 37.839084201388886
"skip3 1x1 128→4" 74.21875
"down3.conv1 3x3 128→128" 40.93695746527778
"down3.conv2 3x3 128→128" 47.00792100694444
"skip4 1x1 128→4" 76.3671875
"down4.conv1 3x3 128→128" 52.40003797743056
"down4.conv2 3x3 128→128" 59.89312065972222
"skip5 1x1 128→4" 77.9296875
"down5.conv1 3x3 128→128" 67.58761935763889
"down5.conv2 3x3 128→128" 69.78352864583333
"up5.conv 3x3 132→128" 75.011179503367
"up5.conv1x1 1x1 128→128" 78.179931640625
"up4.conv 3x3 132→128" 74.54492845117845
"up4.conv1x1 1x1 128→128" 78.11279296875
"up3.conv 3x3 132→128" 74.35356165824916
"up3.conv1x1 1x1 128→128" 77.783203125
"up2.conv 3x3 132→128" 72.79434974747474
"up2.conv1x1 1x1 128→128" 76.806640625
"up1.conv 3x3 132→128" 71.70073127104376
"up1.conv1x1 1x1 128→128" 70.95947265625
"output 1x1 128→3" 82.29166666666666
EOD
plot $bars using 2:xtic(1) lc rgb '#0072B2' title 'inpainting'
unset output
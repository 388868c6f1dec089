set terminal pngcairo enhanced font 'Sans,10' size 720,260
set output 'fig-dense.png'
set multiplot layout 2,10
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'text' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'text' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'text' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'text' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c6.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c7.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'text' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c8.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r0c9.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'random' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c0.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c1.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'random' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c2.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c3.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'random' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c4.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c5.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'random' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c6.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c7.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'random' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c8.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
set xlabel 'dense G' offset 0,0.2 font ',9'
plot 'fig-dense-data/r1c9.rgb' binary array=(28,28) flipy format='%uchar' with rgbimage
unset multiplot
unset output
set terminal pngcairo enhanced font 'Sans,10' size 960,1010
set output 'fig-grid.png'
set multiplot layout 4,4 title '64x64 crops, steps inpainting 1000, sr-x4 1300, sr-x8 1300, denoising 1100, seed 42' font ',17'
unset border
unset tics
unset key
set size ratio -1
set lmargin 0.5
set rmargin 0.5
set tmargin 0.5
set bmargin 2.4
set xlabel 'inpainting: clean' offset 0,0.2 font ',16'
plot 'fig-grid-data/r0c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'input · 16.17 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r0c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense · 32.24 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r0c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0 % · 33.16 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r0c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x4: clean' offset 0,0.2 font ',16'
plot 'fig-grid-data/r1c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'input · 20.11 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r1c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense · 20.81 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r1c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0 % · 21.16 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r1c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'sr-x8: clean' offset 0,0.2 font ',16'
plot 'fig-grid-data/r2c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'input · 22.95 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r2c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense · 32.39 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r2c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0 % · 30.55 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r2c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'denoising: clean' offset 0,0.2 font ',16'
plot 'fig-grid-data/r3c0.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'input · 21.26 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r3c1.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel 'dense · 27.71 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r3c2.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
set xlabel '59.0 % · 27.63 dB' offset 0,0.2 font ',16'
plot 'fig-grid-data/r3c3.rgb' binary array=(64,64) flipy format='%uchar' with rgbimage
unset multiplot
unset output
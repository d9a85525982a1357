/*
 * Indicators (core/indicators.c): the shortcuts and ta_call against
 *   - an independent implementation (npm technicalindicators, values made offline by
 *     tools/indicator_reference.js and held below) on a fixed series of 300 candles;
 *   - TA-Lib's own functions run directly over the same candles: the series kept one candle at
 *     a time equal them to the bit, across the window's ring, a restart after a gap, and
 *     parameters TA-Lib swaps;
 * and the errors: unknown functions, bad periods, too few candles, a buffer too small.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ta_func.h>

#include "core/indicators.h"
#include "test.h"

static const double S_OPEN[] = {
    100.00, 100.00, 102.20, 104.16, 105.66, 106.60, 106.94, 106.77, 106.26, 105.62, 105.09, 104.87,
    105.08, 105.75, 106.82, 108.11, 109.42, 110.50, 111.13, 111.17, 110.57, 109.36, 107.71, 105.82,
    103.94, 102.32, 101.12, 100.44, 100.27, 100.50, 100.93, 101.35, 101.54, 101.31, 100.57, 99.34,
    97.73,  95.91,  94.14,  92.66,  91.67,  91.30,  91.59,  92.44,  93.71,  95.16,  96.55,  97.67,
    98.37,  98.60,  98.40,  97.93,  97.38,  96.99,  96.97,  97.48,  98.56,  100.19, 102.22, 104.44,
    106.59, 108.44, 109.80, 110.56, 110.72, 110.39, 109.75, 109.01, 108.42, 108.16, 108.35, 108.98,
    109.99, 111.18, 112.34, 113.23, 113.64, 113.44, 112.61, 111.20, 109.40, 107.42, 105.51, 103.90,
    102.76, 102.16, 102.06, 102.35, 102.81, 103.23, 103.39, 103.12, 102.35, 101.11, 99.53,  97.80,
    96.17,  94.88,  94.12,  94.00,  94.53,  95.60,  97.05,  98.62,  100.10, 101.25, 101.97, 102.21,
    102.03, 101.61, 101.14, 100.86, 100.98, 101.63, 102.84, 104.57, 106.64, 108.84, 110.92, 112.63,
    113.81, 114.38, 114.35, 113.85, 113.07, 112.23, 111.58, 111.28, 111.43, 112.03, 112.96, 114.04,
    115.05, 115.74, 115.94, 115.51, 114.47, 112.89, 110.96, 108.91, 107.00, 105.44, 104.38, 103.88,
    103.88, 104.23, 104.74, 105.17, 105.31, 105.02, 104.24, 103.01, 101.48, 99.86,  98.40,  97.32,
    96.80,  96.93,  97.70,  98.98,  100.59, 102.28, 103.82, 105.00, 105.71, 105.95, 105.79, 105.39,
    105.00, 104.82, 105.06, 105.83, 107.15, 108.94, 111.02, 113.17, 115.14, 116.70, 117.68, 118.04,
    117.81, 117.13, 116.20, 115.27, 114.55, 114.22, 114.33, 114.88, 115.74, 116.71, 117.56, 118.07,
    118.05, 117.41, 116.18, 114.45, 112.42, 110.34, 108.45, 106.97, 106.02, 105.63, 105.74, 106.18,
    106.75, 107.20, 107.34, 107.04, 106.26, 105.07, 103.61, 102.12, 100.83, 99.97,  99.70,  100.08,
    101.09, 102.57, 104.33, 106.11, 107.69, 108.88, 109.58, 109.79, 109.63, 109.26, 108.92, 108.83,
    109.17, 110.04, 111.44, 113.26, 115.33, 117.41, 119.23, 120.61, 121.38, 121.51, 121.07, 120.21,
    119.15, 118.12, 117.34, 116.96, 117.05, 117.55, 118.33, 119.19, 119.89, 120.21, 119.99, 119.17,
    117.76, 115.91, 113.82, 111.73, 109.90, 108.52, 107.70, 107.45, 107.68, 108.23, 108.86, 109.34,
    109.50, 109.21, 108.44, 107.29, 105.93, 104.58, 103.48, 102.85, 102.83, 103.46, 104.69, 106.35,
    108.24, 110.09, 111.69, 112.87, 113.53, 113.72, 113.53, 113.18, 112.88, 112.86, 113.28, 114.23,
    115.68, 117.52, 119.54, 121.51, 123.17, 124.34, 124.88, 124.78, 124.13, 123.09, 121.89, 120.77,
};
static const double S_HIGH[] = {
    100.50, 102.87, 105.00, 106.67, 107.78, 107.44, 107.61, 107.61, 107.27, 106.80, 105.59, 105.75,
    106.59, 107.83, 109.29, 109.92, 111.17, 111.97, 112.18, 112.35, 111.07, 110.03, 108.55, 106.83,
    105.12, 102.82, 101.79, 101.28, 101.51, 102.11, 101.85, 102.21, 102.38, 102.32, 101.75, 99.84,
    98.40,  96.75,  95.15,  93.84,  92.17,  92.26,  93.28,  94.72,  96.34,  97.05,  98.34,  99.21,
    99.61,  99.78,  98.90,  98.60,  98.22,  98.00,  98.66,  99.06,  100.86, 103.06, 105.45, 107.77,
    108.94, 110.47, 111.40, 111.73, 111.90, 110.89, 110.42, 109.85, 109.43, 109.53, 109.48, 110.66,
    112.02, 113.35, 114.41, 114.14, 114.31, 114.28, 113.62, 112.38, 109.90, 108.09, 106.35, 104.91,
    103.94, 102.66, 103.02, 103.65, 104.24, 104.57, 103.89, 103.79, 103.19, 102.12, 100.71, 98.30,
    96.84,  95.72,  95.13,  95.71,  96.10,  97.72,  99.46,  101.11, 102.43, 102.47, 102.88, 103.05,
    103.04, 102.79, 101.64, 101.65, 102.47, 103.85, 105.75, 107.14, 109.51, 111.76, 113.64, 114.99,
    114.88, 115.05, 115.19, 114.86, 114.25, 112.73, 112.25, 112.27, 113.04, 114.14, 114.54, 115.72,
    116.58, 116.95, 117.12, 116.01, 115.14, 113.73, 111.97, 110.09, 107.50, 106.11, 105.22, 104.89,
    105.41, 105.24, 105.84, 106.15, 106.32, 106.20, 104.74, 103.68, 102.32, 100.87, 99.58,  97.82,
    97.60,  98.54,  99.99,  101.77, 102.78, 104.49, 105.84, 106.72, 107.13, 106.45, 106.46, 106.23,
    106.01, 106.24, 106.33, 107.82, 109.78, 112.03, 114.35, 115.64, 117.37, 118.52, 119.05, 119.22,
    118.31, 117.80, 117.04, 116.28, 115.73, 114.83, 115.55, 116.58, 117.72, 118.74, 118.57, 118.74,
    118.89, 118.42, 117.36, 114.95, 113.09, 111.18, 109.46, 108.15, 106.52, 106.41, 107.02, 107.76,
    108.38, 107.84, 108.01, 107.88, 107.27, 106.25, 104.11, 102.79, 101.67, 100.98, 101.26, 101.59,
    103.24, 105.17, 107.12, 108.87, 109.38, 110.25, 110.63, 110.80, 110.81, 109.76, 109.59, 110.01,
    111.05, 112.62, 113.76, 116.00, 118.25, 120.24, 121.79, 121.88, 122.18, 122.35, 122.08, 121.39,
    119.65, 118.79, 118.18, 118.06, 118.73, 118.83, 119.86, 120.73, 121.22, 121.39, 120.49, 119.84,
    118.60, 116.92, 115.00, 112.23, 110.57, 109.36, 108.71, 108.86, 108.73, 109.53, 110.18, 110.51,
    110.68, 109.71, 109.11, 108.13, 106.94, 105.76, 103.98, 103.52, 104.30, 105.70, 107.53, 108.74,
    110.76, 112.53, 113.88, 114.71, 114.22, 114.39, 114.37, 114.19, 114.06, 113.78, 114.90, 116.52,
    118.53, 120.72, 122.01, 123.84, 125.18, 125.89, 126.06, 125.28, 124.80, 123.93, 122.90, 121.95,
};
static const double S_LOW[] = {
    99.60,  99.49,  101.58, 103.43, 104.82, 105.65, 105.71, 105.86, 105.11, 104.47, 104.14, 104.03,
    104.13, 104.69, 106.42, 107.60, 108.80, 109.77, 110.29, 109.62, 108.30, 107.31, 105.31, 103.32,
    101.59, 100.28, 99.49,  99.21,  99.87,  99.99,  100.31, 100.62, 100.47, 99.62,  98.28,  97.33,
    95.40,  93.52,  91.93,  90.83,  90.35,  90.24,  91.19,  91.93,  93.09,  94.43,  95.71,  96.72,
    97.31,  98.00,  97.42,  96.76,  96.26,  96.13,  96.02,  96.42,  98.16,  99.68,  101.60, 103.71,
    105.75, 107.49, 108.74, 110.16, 109.88, 109.13, 108.28, 107.58, 107.21, 107.10, 107.95, 108.47,
    109.37, 110.45, 111.50, 112.28, 112.38, 112.21, 110.69, 108.78, 106.69, 104.67, 102.95, 101.70,
    101.76, 101.55, 101.44, 101.62, 101.97, 102.28, 102.06, 101.95, 100.60, 98.91,  97.07,  95.33,
    93.93,  93.06,  93.60,  93.49,  93.91,  94.87,  96.21,  97.67,  99.04,  100.85, 101.46, 101.41,
    100.88, 100.30, 99.91,  99.80,  100.58, 101.12, 102.22, 103.84, 105.80, 107.89, 109.86, 112.23,
    113.30, 113.73, 113.12, 112.23, 111.28, 110.52, 110.88, 110.77, 110.81, 111.30, 112.12, 113.09,
    113.99, 115.34, 115.00, 113.85, 112.16, 110.12, 107.96, 105.94, 105.04, 103.87, 103.26, 103.15,
    103.04, 103.28, 103.68, 104.77, 104.51, 103.62, 102.28, 100.64, 98.91,  97.34,  96.92,  96.29,
    96.18,  96.20,  96.86,  98.03,  99.53,  101.88, 103.31, 104.38, 104.98, 104.95, 104.44, 103.94,
    104.42, 104.31, 104.44, 105.10, 106.31, 107.99, 109.96, 112.77, 114.63, 116.08, 116.95, 116.97,
    116.18, 115.14, 114.87, 114.04, 113.60, 113.49, 113.49, 113.93, 114.68, 116.31, 117.05, 117.43,
    116.68, 115.34, 113.50, 111.36, 109.94, 107.94, 106.35, 105.29, 104.79, 104.68, 104.68, 105.78,
    106.24, 106.58, 106.31, 105.42, 104.12, 102.55, 101.72, 100.32, 99.35,  98.97,  98.86,  99.13,
    100.03, 102.17, 103.82, 105.49, 106.96, 108.04, 108.63, 108.57, 108.86, 108.41, 108.21, 108.10,
    108.33, 109.09, 110.38, 112.86, 114.82, 116.79, 118.50, 119.77, 120.43, 120.01, 119.81, 118.64,
    117.50, 116.61, 116.12, 116.01, 115.99, 117.15, 117.82, 118.57, 119.16, 119.15, 118.22, 116.70,
    115.51, 113.31, 111.11, 109.17, 107.68, 106.75, 106.39, 107.05, 107.17, 107.61, 108.13, 108.50,
    108.26, 107.38, 106.89, 105.42, 103.96, 102.75, 102.01, 101.88, 101.77, 103.06, 104.18, 105.73,
    107.51, 109.25, 110.74, 111.81, 113.13, 113.02, 112.56, 112.15, 112.02, 111.91, 112.22, 113.83,
    115.17, 116.90, 118.81, 120.67, 122.22, 123.28, 124.38, 123.62, 122.47, 121.16, 119.93, 118.99,
};
static const double S_CLOSE[] = {
    100.00, 102.20, 104.16, 105.66, 106.60, 106.94, 106.77, 106.26, 105.62, 105.09, 104.87, 105.08,
    105.75, 106.82, 108.11, 109.42, 110.50, 111.13, 111.17, 110.57, 109.36, 107.71, 105.82, 103.94,
    102.32, 101.12, 100.44, 100.27, 100.50, 100.93, 101.35, 101.54, 101.31, 100.57, 99.34,  97.73,
    95.91,  94.14,  92.66,  91.67,  91.30,  91.59,  92.44,  93.71,  95.16,  96.55,  97.67,  98.37,
    98.60,  98.40,  97.93,  97.38,  96.99,  96.97,  97.48,  98.56,  100.19, 102.22, 104.44, 106.59,
    108.44, 109.80, 110.56, 110.72, 110.39, 109.75, 109.01, 108.42, 108.16, 108.35, 108.98, 109.99,
    111.18, 112.34, 113.23, 113.64, 113.44, 112.61, 111.20, 109.40, 107.42, 105.51, 103.90, 102.76,
    102.16, 102.06, 102.35, 102.81, 103.23, 103.39, 103.12, 102.35, 101.11, 99.53,  97.80,  96.17,
    94.88,  94.12,  94.00,  94.53,  95.60,  97.05,  98.62,  100.10, 101.25, 101.97, 102.21, 102.03,
    101.61, 101.14, 100.86, 100.98, 101.63, 102.84, 104.57, 106.64, 108.84, 110.92, 112.63, 113.81,
    114.38, 114.35, 113.85, 113.07, 112.23, 111.58, 111.28, 111.43, 112.03, 112.96, 114.04, 115.05,
    115.74, 115.94, 115.51, 114.47, 112.89, 110.96, 108.91, 107.00, 105.44, 104.38, 103.88, 103.88,
    104.23, 104.74, 105.17, 105.31, 105.02, 104.24, 103.01, 101.48, 99.86,  98.40,  97.32,  96.80,
    96.93,  97.70,  98.98,  100.59, 102.28, 103.82, 105.00, 105.71, 105.95, 105.79, 105.39, 105.00,
    104.82, 105.06, 105.83, 107.15, 108.94, 111.02, 113.17, 115.14, 116.70, 117.68, 118.04, 117.81,
    117.13, 116.20, 115.27, 114.55, 114.22, 114.33, 114.88, 115.74, 116.71, 117.56, 118.07, 118.05,
    117.41, 116.18, 114.45, 112.42, 110.34, 108.45, 106.97, 106.02, 105.63, 105.74, 106.18, 106.75,
    107.20, 107.34, 107.04, 106.26, 105.07, 103.61, 102.12, 100.83, 99.97,  99.70,  100.08, 101.09,
    102.57, 104.33, 106.11, 107.69, 108.88, 109.58, 109.79, 109.63, 109.26, 108.92, 108.83, 109.17,
    110.04, 111.44, 113.26, 115.33, 117.41, 119.23, 120.61, 121.38, 121.51, 121.07, 120.21, 119.15,
    118.12, 117.34, 116.96, 117.05, 117.55, 118.33, 119.19, 119.89, 120.21, 119.99, 119.17, 117.76,
    115.91, 113.82, 111.73, 109.90, 108.52, 107.70, 107.45, 107.68, 108.23, 108.86, 109.34, 109.50,
    109.21, 108.44, 107.29, 105.93, 104.58, 103.48, 102.85, 102.83, 103.46, 104.69, 106.35, 108.24,
    110.09, 111.69, 112.87, 113.53, 113.72, 113.53, 113.18, 112.88, 112.86, 113.28, 114.23, 115.68,
    117.52, 119.54, 121.51, 123.17, 124.34, 124.88, 124.78, 124.13, 123.09, 121.89, 120.77, 119.94,
};
static const double REF_SMA20[] = {
    107.84749999999985, 108.08099999999986, 108.27299999999984, 108.44199999999985,
    108.62449999999986, 108.86649999999986, 109.21349999999987, 109.70099999999987,
    110.34799999999987, 111.15099999999987, 112.08399999999988, 113.10099999999989,
    114.14499999999990, 115.15449999999990, 116.07599999999991, 116.87049999999992,
    117.52049999999993, 118.03049999999992, 118.42549999999991, 118.74599999999991,
};
static const double REF_EMA50[] = {
    110.32224698871556, 110.44804122445221, 110.55517686270899, 110.64634639750471,
    110.73315634270061, 110.83303256455550, 110.96624697378861, 111.15110003364003,
    111.40086081663455, 111.72004274539398, 112.10396263773147, 112.53792488723219,
    113.00075136224270, 113.46660424999789, 113.91026682842934, 114.31104067829486,
    114.65531359287154, 114.93902678530795, 115.16769240157038, 115.35484171915586,
};
static const double REF_RSI14[] = {
    65.849999999999994, 64.900000000000006, 63.079999999999998, 61.500000000000000,
    61.380000000000003, 62.899999999999999, 66.129999999999995, 70.379999999999995,
    74.709999999999994, 78.439999999999998, 81.329999999999998, 83.349999999999994,
    84.620000000000005, 85.180000000000007, 84.569999999999993, 80.500000000000000,
    74.340000000000003, 67.890000000000001, 62.439999999999998, 58.689999999999998,
};
static const double REF_MACD[] = {
    0.24485031558862147, 0.52152905198306598, 0.70443656281081246, 0.81578077713099617,
    0.89212418405274718, 0.97527501074011980, 1.1050909004725042,  1.3098743935622963,
    1.6021705845179781,  1.9740588186340489,  2.4000788445810031,  2.8389255447436454,
    3.2437322124523433,  3.5669997474098381,  3.7716452548846888,  3.8371464900301220,
    3.7617739934628105,  3.5641257526369827,  3.2793115952647724,  2.9525847016510482,
};
static const double REF_SIGNAL[] = {
    -1.0707159675651983,  -0.75226696365554546, -0.46092625836227386, -0.20558485126361981,
    0.013956955799653614, 0.20622056678774686,  0.38599463352469837,  0.57077058553221793,
    0.77705058532936999,  1.0164522319903058,   1.2931775545084452,   1.6023271525554852,
    1.9306081645348567,   2.2578864811098529,   2.5606382358648201,   2.8159398866978806,
    3.0051067080508664,   3.1169105169680895,   3.1493907326274262,   3.1100295264321507,
};
static const double REF_HIST[] = {
    1.3155662831538197,  1.2737960156386114,  1.1653628211730864,  1.0213656283946160,
    0.87816722825309357, 0.76905444395237299, 0.71909626694780582, 0.73910380803007836,
    0.82511999918860812, 0.95760658664374310, 1.1069012900725579,  1.2365983921881603,
    1.3131240479174866,  1.3091132662999851,  1.2110070190198687,  1.0212066033322413,
    0.75666728541194406, 0.44721523566889321, 0.12992086263734626, -0.15744482478110244,
};
static const double REF_BBUP[] = {
    114.71034452687061, 115.37028501294867, 115.88017845196217, 116.29685225831764,
    116.70851255565562, 117.19986252661539, 117.82858276222566, 118.61592434067714,
    119.55581537608121, 120.62038836461984, 121.77254044735314, 122.95915581130659,
    124.11980526125689, 125.18390770933149, 126.08692283458414, 126.78949485835125,
    127.27948862587709, 127.58126012681704, 127.74042023583661, 127.80262277010577,
};
static const double REF_BBMID[] = {
    107.84749999999985, 108.08099999999986, 108.27299999999984, 108.44199999999985,
    108.62449999999986, 108.86649999999986, 109.21349999999987, 109.70099999999987,
    110.34799999999987, 111.15099999999987, 112.08399999999988, 113.10099999999989,
    114.14499999999990, 115.15449999999990, 116.07599999999991, 116.87049999999992,
    117.52049999999993, 118.03049999999992, 118.42549999999991, 118.74599999999991,
};
static const double REF_BBLOW[] = {
    100.98465547312910, 100.79171498705105, 100.66582154803751, 100.58714774168206,
    100.54048744434409, 100.53313747338433, 100.59841723777407, 100.78607565932259,
    101.14018462391853, 101.68161163537989, 102.39545955264661, 103.24284418869318,
    104.17019473874291, 105.12509229066831, 106.06507716541567, 106.95150514164860,
    107.76151137412276, 108.47973987318279, 109.11057976416322, 109.68937722989405,
};
static const double REF_ATR14[] = {
    2.5682565542773093, 2.4826668004003589, 2.4346191718003336, 2.4064320881003094,
    2.3802583675217162, 2.3438113412701655, 2.3678248168937257, 2.3908373299727450,
    2.4600632349746916, 2.5572015753336417, 2.6031157485240959, 2.6436074807723751,
    2.6662069464314917, 2.6621921645435278, 2.5920355813618476, 2.5254616112645727,
    2.5115000676028174, 2.5299643484883312, 2.5613954664534502, 2.5898672188496330,
};

#define N 300
#define K 20 /* reference values: the last K of each series */

/* A fake window: a ring of `cap` candles of one symbol, fed one candle at a time. */
typedef struct ring {
  argo_candle c[N];
  size_t cap, head, len;
  uint64_t count;
} ring;

static uint64_t ring_window(void *user, size_t sym, const argo_candle **a, size_t *na,
                            const argo_candle **b, size_t *nb) {
  ring *r = user;
  CHECK(sym == 0);
  size_t first = r->cap - r->head;
  *a = r->c + r->head;
  *na = r->len < first ? r->len : first;
  *b = r->c;
  *nb = r->len - *na;
  return r->count;
}

static argo_candle candle(size_t i) {
  argo_candle c = {.symbol = "BTCUSDT",
                   .time = (int64_t)i * 60000000,
                   .open = S_OPEN[i],
                   .high = S_HIGH[i],
                   .low = S_LOW[i],
                   .close = S_CLOSE[i],
                   .volume = 10 + (double)(i % 13)};
  return c;
}

static void push(ring *r, size_t i) {
  size_t pos = (r->head + r->len) % r->cap;
  r->c[pos] = candle(i);
  if (r->len < r->cap) {
    r->len++;
  } else {
    r->head = (r->head + 1) % r->cap;
  }
  r->count++;
}

static argo__ta *ta_for(ring *r, size_t cap) {
  memset(r, 0, sizeof *r);
  r->cap = cap;
  argo__ta *t = NULL;
  argo__ta_source src = {.window = ring_window, .user = r};
  CHECK(argo__ta_new(&t, &src) == ARGO_OK);
  return t;
}

static void check_tail(const char *what, const double *ref, const double *got, double tol) {
  for (int i = 0; i < K; i++) {
    CHECK_MSG(fabs(ref[i] - got[i]) <= tol,
              "%s, value %d of the last %d: reference %.12g, got %.12g", what, i, K, ref[i],
              got[i]);
  }
}

TEST(indicators_equal_an_independent_implementation) {
  ring r;
  argo__ta *t = ta_for(&r, 1000);
  char err[256];
  double sma[K], ema[K], rsi[K], macd[K], sig[K], hist[K], up[K], mid[K], low[K], atr[K];
  for (size_t i = 0; i < N; i++) {
    push(&r, i);
    double v[10];
    int rc[6] = {argo__ta_sma(t, 0, 20, &v[0], err, sizeof err),
                 argo__ta_ema(t, 0, 50, &v[1], err, sizeof err),
                 argo__ta_rsi(t, 0, 14, &v[2], err, sizeof err),
                 argo__ta_macd(t, 0, 12, 26, 9, &v[3], &v[4], &v[5], err, sizeof err),
                 argo__ta_bbands(t, 0, 20, 2, 2, &v[6], &v[7], &v[8], err, sizeof err),
                 argo__ta_atr(t, 0, 14, &v[9], err, sizeof err)};
    if (i >= N - K) {
      for (int k = 0; k < 6; k++) {
        CHECK_MSG(rc[k] == ARGO_S_OK, "indicator %d at candle %zu: %d %s", k, i, rc[k], err);
      }
      size_t j = i - (N - K);
      sma[j] = v[0], ema[j] = v[1], rsi[j] = v[2], macd[j] = v[3], sig[j] = v[4];
      hist[j] = v[5], up[j] = v[6], mid[j] = v[7], low[j] = v[8], atr[j] = v[9];
    }
  }
  check_tail("SMA(20)", REF_SMA20, sma, 1e-9);
  check_tail("EMA(50)", REF_EMA50, ema, 1e-9);
  /* technicalindicators rounds its RSI to 2 decimals */
  check_tail("RSI(14)", REF_RSI14, rsi, 0.005 + 1e-9);
  check_tail("MACD(12,26,9)", REF_MACD, macd, 1e-9);
  check_tail("MACD signal", REF_SIGNAL, sig, 1e-9);
  check_tail("MACD histogram", REF_HIST, hist, 1e-9);
  check_tail("BBANDS upper", REF_BBUP, up, 1e-9);
  check_tail("BBANDS middle", REF_BBMID, mid, 1e-9);
  check_tail("BBANDS lower", REF_BBLOW, low, 1e-9);
  /* Its first true range is high - low of the first candle, TA-Lib's starts at the second;
   * Wilder's smoothing has forgotten that (13/14)^270 later, far below this tolerance. */
  check_tail("ATR(14)", REF_ATR14, atr, 1e-7);
  argo__ta_free(t);
}

/* TA-Lib's own function over candles [from, to] of the series, its value at `to`. */
static int talib_at(int which, int p1, int p2, int p3, size_t from, size_t to, double out[3]) {
  static double o1[N], o2[N], o3[N];
  static double h[N], l[N], c[N];
  int n = (int)(to - from + 1), beg = 0, nb = 0;
  for (int i = 0; i < n; i++) {
    h[i] = S_HIGH[from + (size_t)i];
    l[i] = S_LOW[from + (size_t)i];
    c[i] = S_CLOSE[from + (size_t)i];
  }
  TA_RetCode rc = TA_SUCCESS;
  switch (which) {
  case 0:
    rc = TA_EMA(0, n - 1, c, p1, &beg, &nb, o1);
    break;
  case 1:
    rc = TA_RSI(0, n - 1, c, p1, &beg, &nb, o1);
    break;
  case 2:
    rc = TA_MACD(0, n - 1, c, p1, p2, p3, &beg, &nb, o1, o2, o3);
    break;
  case 3:
    rc = TA_ATR(0, n - 1, h, l, c, p1, &beg, &nb, o1);
    break;
  }
  CHECK_MSG(rc == TA_SUCCESS, "TA-Lib function %d(%d,%d,%d) over %d candles: %d", which, p1, p2, p3,
            n, (int)rc);
  if (nb == 0) {
    return 0;
  }
  CHECK_MSG(n - 1 == beg + nb - 1, "TA-Lib function %d(%d,%d,%d) over %d candles: %d from %d",
            which, p1, p2, p3, n, nb, beg);
  out[0] = o1[nb - 1];
  out[1] = o2[nb - 1];
  out[2] = o3[nb - 1];
  return 1;
}

/* One shortcut at the newest candle. */
static int ours(argo__ta *t, int which, int p1, int p2, int p3, double out[3]) {
  char err[256];
  switch (which) {
  case 0:
    return argo__ta_ema(t, 0, p1, &out[0], err, sizeof err);
  case 1:
    return argo__ta_rsi(t, 0, p1, &out[0], err, sizeof err);
  case 2:
    return argo__ta_macd(t, 0, p1, p2, p3, &out[0], &out[1], &out[2], err, sizeof err);
  default:
    return argo__ta_atr(t, 0, p1, &out[0], err, sizeof err);
  }
}

static const struct {
  int which, p1, p2, p3, nout;
  const char *name;
} CASES[] = {{0, 50, 0, 0, 1, "EMA(50)"},        {0, 2, 0, 0, 1, "EMA(2)"},
             {1, 14, 0, 0, 1, "RSI(14)"},        {1, 2, 0, 0, 1, "RSI(2)"},
             {2, 12, 26, 9, 3, "MACD(12,26,9)"}, {2, 26, 12, 9, 3, "MACD(26,12,9)"},
             {2, 5, 7, 2, 3, "MACD(5,7,2)"},     {3, 14, 0, 0, 1, "ATR(14)"},
             {3, 1, 0, 0, 1, "ATR(1)"}};

TEST(indicator_series_equal_talib_over_the_same_candles_to_the_bit) {
  for (size_t k = 0; k < ARGO_ARRAY_LEN(CASES); k++) {
    ring r;
    argo__ta *t = ta_for(&r, 1000);
    int defined = 0;
    for (size_t i = 0; i < N; i++) {
      push(&r, i);
      double want[3], got[3];
      int have = talib_at(CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, 0, i, want);
      int rc = ours(t, CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, got);
      CHECK_MSG(rc == (have ? ARGO_S_OK : ARGO_S_STATE), "%s at candle %zu: rc %d, TA-Lib %s",
                CASES[k].name, i, rc, have ? "has a value" : "has none");
      for (int o = 0; have && o < CASES[k].nout; o++) {
        CHECK_MSG(memcmp(&want[o], &got[o], sizeof(double)) == 0,
                  "%s output %d at candle %zu: TA-Lib %.17g, series %.17g", CASES[k].name, o, i,
                  want[o], got[o]);
      }
      if (!have) {
        CHECK(isnan(got[0]));
      }
      defined += have;
    }
    CHECK(defined > 200);
    argo__ta_free(t);
  }
}

TEST(indicator_series_follow_the_ring_and_restart_after_a_gap) {
  /* A window of 64: the series started on the first candle goes on past the ring's wrap and
   * stays TA-Lib over every candle since its start; asked again only after more than 64 new
   * candles, it starts again from the window: TA-Lib over the last 64. */
  for (size_t k = 0; k < ARGO_ARRAY_LEN(CASES); k++) {
    ring r;
    argo__ta *t = ta_for(&r, 64);
    double want[3], got[3];
    size_t i = 0;
    for (; i < 150; i++) {
      push(&r, i);
      if (i >= 60 && i % 3 == 0) { /* asked every third candle: it catches up */
        CHECK(ours(t, CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, got) == ARGO_S_OK);
        CHECK(talib_at(CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, 0, i, want));
        for (int o = 0; o < CASES[k].nout; o++) {
          CHECK_MSG(memcmp(&want[o], &got[o], sizeof(double)) == 0,
                    "%s output %d at candle %zu: TA-Lib %.17g, series %.17g", CASES[k].name, o, i,
                    want[o], got[o]);
        }
      }
    }
    for (; i < 230; i++) {
      push(&r, i); /* 80 candles nobody asked about */
    }
    CHECK(ours(t, CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, got) == ARGO_S_OK);
    CHECK(talib_at(CASES[k].which, CASES[k].p1, CASES[k].p2, CASES[k].p3, i - 64, i - 1, want));
    for (int o = 0; o < CASES[k].nout; o++) {
      CHECK_MSG(memcmp(&want[o], &got[o], sizeof(double)) == 0,
                "%s output %d after the gap: TA-Lib over the window %.17g, series %.17g",
                CASES[k].name, o, want[o], got[o]);
    }
    argo__ta_free(t);
  }
}

TEST(ta_call_runs_any_function_by_name_over_the_window) {
  ring r;
  argo__ta *t = ta_for(&r, 1000);
  char err[256];
  for (size_t i = 0; i < N; i++) {
    push(&r, i);
  }
  static double c[N], h[N], l[N], o[N], o1[N], o2[N], o3[N];
  for (size_t i = 0; i < N; i++) {
    c[i] = S_CLOSE[i], h[i] = S_HIGH[i], l[i] = S_LOW[i], o[i] = S_OPEN[i];
  }
  int beg, nb;
  /* SMA by name, lower case, over its own period only: TA-Lib's value. */
  double out[16];
  double p20 = 20;
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "sma", NULL, &p20, 1, 20, 1, out, 16, err, sizeof err));
  CHECK(TA_SMA(0, N - 1, c, 20, &beg, &nb, o1) == TA_SUCCESS);
  CHECK_NEAR(o1[nb - 1], out[0], 1e-9);
  /* MACD over the whole window, the last 3 values of its 3 outputs, output-major. */
  double mopt[3] = {12, 26, 9};
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "MACD", NULL, mopt, 3, 0, 3, out, 9, err, sizeof err));
  CHECK(TA_MACD(0, N - 1, c, 12, 26, 9, &beg, &nb, o1, o2, o3) == TA_SUCCESS);
  for (int j = 0; j < 3; j++) {
    CHECK(out[j] == o1[nb - 3 + j]);
    CHECK(out[3 + j] == o2[nb - 3 + j]);
    CHECK(out[6 + j] == o3[nb - 3 + j]);
  }
  /* Defaults for missing or NaN options: MACD() is MACD(12,26,9). */
  double dflt[9];
  double nan3[1] = {NAN};
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "MACD", NULL, nan3, 1, 0, 3, dflt, 9, err, sizeof err));
  CHECK(memcmp(dflt, out, sizeof dflt) == 0);
  /* A price function (ADX reads high, low, close) and named real inputs (CORREL of high, low). */
  double p14 = 14;
  CHECK_EQ_INT(ARGO_S_OK, argo__ta_call(t, 0, "ADX", NULL, &p14, 1, 0, 1, out, 1, err, sizeof err));
  CHECK(TA_ADX(0, N - 1, h, l, c, 14, &beg, &nb, o1) == TA_SUCCESS);
  CHECK(out[0] == o1[nb - 1]);
  double p30 = 30;
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "CORREL", "high, low", &p30, 1, 0, 1, out, 1, err, sizeof err));
  CHECK(TA_CORREL(0, N - 1, h, l, 30, &beg, &nb, o1) == TA_SUCCESS);
  CHECK(out[0] == o1[nb - 1]);
  /* A candle pattern: integer output, as doubles (0 or +-100). */
  static int io[N];
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "CDLENGULFING", NULL, NULL, 0, 0, 5, out, 5, err, sizeof err));
  CHECK(TA_CDLENGULFING(0, N - 1, o, h, l, c, &beg, &nb, io) == TA_SUCCESS);
  for (int j = 0; j < 5; j++) {
    CHECK(out[j] == (double)io[nb - 5 + j]);
  }
  /* More values than the window gives: NaN before the lookback, the newest defined. */
  double few[25];
  CHECK_EQ_INT(ARGO_S_OK,
               argo__ta_call(t, 0, "SMA", NULL, &p20, 1, 22, 5, few, 25, err, sizeof err));
  CHECK(isnan(few[0]) && isnan(few[1]) && !isnan(few[2]) && !isnan(few[4]));
  argo__ta_free(t);
}

TEST(ta_call_refuses_what_it_cannot_do) {
  ring r;
  argo__ta *t = ta_for(&r, 1000);
  char err[256];
  double out[8];
  double p = 20;
  CHECK_EQ_INT(ARGO_S_STATE,
               argo__ta_call(t, 0, "SMA", NULL, &p, 1, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "no candle");
  for (size_t i = 0; i < 10; i++) {
    push(&r, i);
  }
  CHECK_EQ_INT(ARGO_S_STATE,
               argo__ta_call(t, 0, "SMA", NULL, &p, 1, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "SMA needs 20 candles, 10 given");
  CHECK(isnan(out[0]));
  CHECK_EQ_INT(ARGO_S_NOTFOUND,
               argo__ta_call(t, 0, "NOPE", NULL, NULL, 0, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "TA-Lib has no function 'NOPE'");
  double opts[4] = {1, 2, 3, 4};
  CHECK_EQ_INT(ARGO_S_EINVAL,
               argo__ta_call(t, 0, "SMA", NULL, opts, 2, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "SMA takes 1 options, 2 given");
  double half = 2.5;
  CHECK_EQ_INT(ARGO_S_EINVAL,
               argo__ta_call(t, 0, "SMA", NULL, &half, 1, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "whole number");
  double big = 1e6;
  CHECK_EQ_INT(ARGO_S_EINVAL,
               argo__ta_call(t, 0, "SMA", NULL, &big, 1, 0, 1, out, 8, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_TOOSMALL,
               argo__ta_call(t, 0, "MACD", NULL, NULL, 0, 0, 3, out, 8, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_EINVAL,
               argo__ta_call(t, 0, "SMA", "close,open", NULL, 0, 0, 1, out, 8, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_EINVAL,
               argo__ta_call(t, 0, "SMA", "vwap", NULL, 0, 0, 1, out, 8, err, sizeof err));
  CHECK_CONTAINS(err, "unknown input 'vwap'");
  /* The shortcuts: TA-Lib's ranges, and NaN while too few candles are held. */
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__ta_ema(t, 0, 1, out, err, sizeof err));
  CHECK_CONTAINS(err, "from 2 to 100000");
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__ta_macd(t, 0, 12, 26, 0, out, out, out, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__ta_atr(t, 0, 0, out, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__ta_bbands(t, 0, 20, NAN, 2, out, out, out, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_STATE, argo__ta_rsi(t, 0, 14, &out[0], err, sizeof err));
  CHECK(isnan(out[0]));
  CHECK_CONTAINS(err, "RSI needs 15 candles");
  CHECK_EQ_INT(ARGO_S_STATE, argo__ta_sma(t, 0, 20, &out[0], err, sizeof err));
  CHECK_CONTAINS(err, "SMA needs 20 candles, the window holds 10");
  argo__ta_free(t);
}

TEST(ta_info_lists_and_describes_the_functions) {
  char buf[16384], err[256];
  int n = argo__ta_info(NULL, buf, sizeof buf, err, sizeof err);
  CHECK_MSG(n > 0, "%s", err);
  int count = 0;
  for (const char *p = buf; (p = strchr(p, ',')) != NULL; p++) {
    count++;
  }
  CHECK_MSG(count + 1 >= 150, "only %d functions", count + 1);
  CHECK_CONTAINS(buf, "\"MACD\"");
  CHECK_CONTAINS(buf, "\"CDLENGULFING\"");
  n = argo__ta_info("macd", buf, sizeof buf, err, sizeof err);
  CHECK_MSG(n > 0, "%s", err);
  CHECK_CONTAINS(buf, "\"name\":\"MACD\"");
  CHECK_CONTAINS(buf, "{\"name\":\"optInFastPeriod\",\"type\":\"integer\",\"default\":12,"
                      "\"min\":2,\"max\":100000}");
  CHECK_CONTAINS(buf, "\"outputs\":[{\"name\":\"outMACD\"");
  n = argo__ta_info("ADX", buf, sizeof buf, err, sizeof err);
  CHECK_CONTAINS(buf, "\"prices\":[\"high\",\"low\",\"close\"]");
  CHECK_EQ_INT(ARGO_S_TOOSMALL, argo__ta_info("MACD", buf, 10, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__ta_info("NOPE", buf, sizeof buf, err, sizeof err));
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(indicators_equal_an_independent_implementation);
  RUN(indicator_series_equal_talib_over_the_same_candles_to_the_bit);
  RUN(indicator_series_follow_the_ring_and_restart_after_a_gap);
  RUN(ta_call_runs_any_function_by_name_over_the_window);
  RUN(ta_call_refuses_what_it_cannot_do);
  RUN(ta_info_lists_and_describes_the_functions);
  return test_summary();
}

/* test-clean-render.c: the cleanup's one-pass renderer, vector against scalar code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "pe-clean-private.h"
#include "pe-page-clean.h"
#include "pe-test-common.h"
#include "pe-types.h"

/* Both sides of 0.001 rad (no rotation below) and of 0.06 rad (two shears up to it, three
 * beyond), small and large skews of both signs. */
static const double angles[] = {
  0.0, 0.05, -0.06, 0.1, -0.1, 0.3, -0.5, 1.0, -1.0, 2.0, -2.7, 3.4, -3.43, 3.45, -4.2, 5.0, -5.0,
};

static char *
sample_path (const char *name)
{
  const char *root = g_getenv ("PE_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "data", "sample", name, NULL);
}

/* Byte for byte; with @pad also the bits past the last pixel of each row (Leptonica leaves
 * them as they come; the renderer sets them to 0, as pixCreate() does). */
static void
assert_same_pix_full (PIX        *got,
                      PIX        *expected,
                      gboolean    pad,
                      const char *what)
{
  int w = pixGetWidth (expected), h = pixGetHeight (expected), d = pixGetDepth (expected);
  int wpl = pixGetWpl (expected), tail = (w * d) % 32;
  l_uint32 last = pad || tail == 0 ? 0xffffffffu : 0xffffffffu << (32 - tail);
  const l_uint32 *a, *b;

  g_assert_nonnull (got);
  g_assert_cmpint (pixGetWidth (got), ==, w);
  g_assert_cmpint (pixGetHeight (got), ==, h);
  g_assert_cmpint (pixGetDepth (got), ==, d);
  g_assert_cmpint (pixGetWpl (got), ==, wpl);
  g_assert_cmpint (pixGetXRes (got), ==, pixGetXRes (expected));
  g_assert_cmpint (pixGetYRes (got), ==, pixGetYRes (expected));
  a = pixGetData (got);
  b = pixGetData (expected);
  for (int y = 0; y < h; y++)
    for (int k = 0; k < wpl; k++)
      {
        l_uint32 mask = k == wpl - 1 ? last : 0xffffffffu;
        l_uint32 u = a[(gsize) y * wpl + k], v = b[(gsize) y * wpl + k];

        if ((u & mask) != (v & mask))
          {
            g_test_message ("%s: %d × %d × %d bpp differs in row %d, word %d: %08x, expected "
                            "%08x", what, w, h, d, y, k, u, v);
            g_assert_not_reached ();
          }
      }
}

static void
assert_same_pix (PIX        *got,
                 PIX        *expected,
                 const char *what)
{
  assert_same_pix_full (got, expected, TRUE, what);
}

/* The pages of _pe_clean_render() (colour only from a 32 bpp page), and asserts that the scalar
 * build makes the same, and that each page made alone is the one made with the others (each
 * set of outputs is its own expansion of the inner loops). */
static void
render_both (PIX                   *src,
             const PeCleanAnalysis *a,
             gboolean               normalize,
             gboolean               erase,
             PIX                   *specks,
             double                 skew_deg,
             int                    threshold,
             PIX                  **colour,
             PIX                  **grey,
             PIX                  **bin)
{
  g_autoptr(PIX) sc = NULL;
  g_autoptr(PIX) sg = NULL;
  g_autoptr(PIX) sb = NULL;
  g_autoptr(PIX) only = NULL;
  gboolean rgb = pixGetDepth (src) == 32;

  g_assert_true (_pe_clean_render (src, a, normalize, erase, specks, skew_deg, threshold,
                                   rgb ? colour : NULL, grey, bin, FALSE));
  g_assert_true (_pe_clean_render_scalar (src, a, normalize, erase, specks, skew_deg, threshold,
                                          rgb ? &sc : NULL, &sg, &sb, FALSE));
  if (rgb)
    assert_same_pix (sc, *colour, "colour, scalar");
  assert_same_pix (sg, *grey, "grey, scalar");
  assert_same_pix (sb, *bin, "ink, scalar");

  g_assert_true (_pe_clean_render (src, a, normalize, erase, specks, skew_deg, threshold,
                                   NULL, &only, NULL, FALSE));
  assert_same_pix (only, *grey, "grey alone");
  pixDestroy (&only);
  g_assert_true (_pe_clean_render (src, a, normalize, erase, specks, skew_deg, threshold,
                                   NULL, NULL, &only, FALSE));
  assert_same_pix (only, *bin, "ink alone");
  pixDestroy (&only);
  if (rgb)
    {
      g_assert_true (_pe_clean_render_scalar (src, a, normalize, erase, specks, skew_deg,
                                              threshold, &only, NULL, NULL, FALSE));
      assert_same_pix (only, *colour, "colour alone, scalar");
    }
}

/* Every pixel holds its own number (1-based, in the top 24 bits): rotated by Leptonica, it says
 * which source pixel each destination pixel shows (0xffffff: white brought in). */
static PIX *
where_from (int    w,
            int    h,
            double skew_deg)
{
  g_autoptr(PIX) ids = pixCreate (w, h, 32);

  g_assert_cmpint (w * h, <, 0xffffff);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      pixGetData (ids)[(gsize) y * w + x] = (l_uint32) (y * w + x + 1) << 8;
  return pixRotate (ids, (l_float32) (skew_deg * M_PI / 180.0), L_ROTATE_SHEAR,
                    L_BRING_IN_WHITE, 0, 0);
}

/* A per-pixel model of _pe_clean_render(): the
 * source pixel from @where, white if erased or a speck, else lifted by the background map
 * (per channel corrected for the paper's colour). */
static void
render_reference (PIX                   *src,
                  const PeCleanAnalysis *a,
                  gboolean               normalize,
                  gboolean               erase,
                  PIX                   *specks,
                  PIX                   *where,
                  int                    threshold,
                  PIX                  **colour,
                  PIX                  **grey,
                  PIX                  **bin)
{
  int w = pixGetWidth (src), h = pixGetHeight (src), depth = pixGetDepth (src);
  PIX *map = normalize ? a->inv_map : NULL;
  PIX *mask = erase ? a->erase : NULL;
  int mw = 1, mh = 1, shift = 0;
  double lum, gain[3] = { 1.0, 1.0, 1.0 };

  threshold = CLAMP (threshold, 0, 255);
  *grey = pixCreate (w, h, 8);
  *bin = pixCreate (w, h, 1);
  *colour = depth == 32 ? pixCreate (w, h, 32) : NULL;
  while ((1 << shift) < a->factor)
    shift++;
  if (map != NULL)
    {
      pixGetDimensions (map, &mw, &mh, NULL);
      lum = (77.0 * a->paper[0] + 150.0 * a->paper[1] + 29.0 * a->paper[2]) / 256.0;
      for (int k = 0; k < 3; k++)
        gain[k] = lum / MAX (a->paper[k], 1);
    }

  for (int yd = 0; yd < h; yd++)
    for (int xd = 0; xd < w; xd++)
      {
        l_uint32 id, g = 255, rgb = 0xffffff00, v16 = 256, e = 0;
        int xs, ys;

        pixGetPixel (where, xd, yd, &id);
        id >>= 8;
        if (id >= 1 && id <= (l_uint32) (w * h))
          {
            xs = (int) (id - 1) % w;
            ys = (int) (id - 1) / w;
            if (mask != NULL)
              pixGetPixel (mask, MIN (xs >> shift, pixGetWidth (mask) - 1),
                           MIN (ys >> shift, pixGetHeight (mask) - 1), &e);
            if (specks != NULL && !e)
              pixGetPixel (specks, xs, ys, &e);
            if (!e)
              {
                l_uint32 p;
                guint l;

                if (map != NULL)
                  pixGetPixel (map, MIN (xs / a->map_sx, mw - 1), MIN (ys / a->map_sy, mh - 1),
                               &v16);
                pixGetPixel (src, xs, ys, &p);
                if (depth == 32)
                  {
                    guint ch[3] = { p >> 24, (p >> 16) & 0xff, (p >> 8) & 0xff };

                    l = (77 * ch[0] + 150 * ch[1] + 29 * ch[2] + 128) >> 8;
                    rgb = 0;
                    for (int k = 0; k < 3; k++)
                      {
                        guint m = (guint) MIN (65535.0, v16 * gain[k]);

                        rgb |= MIN (255u, (ch[k] * m) >> 8) << (24 - 8 * k);
                      }
                  }
                else
                  {
                    l = depth == 8 ? p : p ? 0 : 255;
                  }
                g = MIN (255u, (l * MIN (v16, 65535u)) >> 8);
              }
          }
        pixSetPixel (*grey, xd, yd, g);
        pixSetPixel (*bin, xd, yd, (int) g < threshold);
        if (*colour != NULL)
          pixSetPixel (*colour, xd, yd, rgb);
      }
  pixCopyResolution (*grey, src);
  pixCopyResolution (*bin, src);
  if (*colour != NULL)
    pixCopyResolution (*colour, src);
}

/* The one pass that makes the full-size pages (runs of source pixels, vector kernels, erased
 * spans, specks, strips) gives exactly what the per-pixel model gives, at any skew and depth,
 * with an odd page size, a background map and erased areas; and it straightens exactly as
 * Leptonica's shear rotation does. */
static void
test_render_reference (void)
{
  /* Two shears up to 0.06 rad (3.4°), three beyond; below 0.001 rad none. */
  static const double angles[] = { 0.0, 0.04, 0.3, -0.3, 2.7, -2.7, 3.4, 4.9, -4.9 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(PIX) rgb = pixCreate (2101, 997, 32);
  g_autoptr(PIX) ids = pixCreate (2101, 997, 32);
  int w = pixGetWidth (rgb), h = pixGetHeight (rgb);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      pixSetPixel (ids, x, y, (l_uint32) (y * w + x + 1) << 8);

  /* Paper that darkens towards one side (so the map has work), coloured blotches, text-like
   * dark bars and noise. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int base = 240 - 60 * x / w + g_rand_int_range (rand, -8, 8);
        int r = base, g = base - 5, b = base - 25;

        if ((y / 4) % 12 == 0 && (x / 5) % 4 != 0)
          r = g = b = g_rand_int_range (rand, 10, 90);
        if ((x - 700) * (x - 700) + (y - 500) * (y - 500) < 120 * 120)
          b = 250, r = 40;
        composeRGBPixel (CLAMP (r, 0, 255), CLAMP (g, 0, 255), CLAMP (b, 0, 255),
                         pixGetData (rgb) + (gsize) y * pixGetWpl (rgb) + x);
      }
  pixSetResolution (rgb, 300, 300);

  for (int d = 0; d < 3; d++)
    {
      g_autoptr(PIX) src = d == 0 ? pixClone (rgb) : pe_clean_to_grey (rgb);
      g_autoptr(PIX) specks = pixCreate (w, h, 1);
      g_auto(PeCleanAnalysis) a = { 0 };

      /* Specks at full size: some single, some in runs that cross a word. */
      for (int k = 0; k < 3000; k++)
        pixSetPixel (specks, g_rand_int_range (rand, 0, w), g_rand_int_range (rand, 0, h), 1);
      pixRasterop (specks, 30, 40, 40, 2, PIX_SET, NULL, 0, 0);

      if (d == 2)
        {
          PIX *bin = pixThresholdToBinary (src, 128);

          pixDestroy (&src);
          src = bin;
        }
      pixSetResolution (src, 300, 300);
      g_assert_true (_pe_clean_analyse (src, FALSE, 25.0, FALSE, TRUE, &a));
      g_assert_cmpint (a.factor, ==, 2);
      g_assert_true (d == 2 || a.inv_map != NULL);
      /* Erased areas: a border strip, a block, single mask pixels. */
      pixRasterop (a.erase, 0, 0, 9, pixGetHeight (a.erase), PIX_SET, NULL, 0, 0);
      pixRasterop (a.erase, 300, 200, 41, 17, PIX_SET, NULL, 0, 0);
      for (int k = 0; k < 200; k++)
        pixSetPixel (a.erase, g_rand_int_range (rand, 0, pixGetWidth (a.erase)),
                     g_rand_int_range (rand, 0, pixGetHeight (a.erase)), 1);

      for (guint i = 0; i < G_N_ELEMENTS (angles); i++)
        {
          g_autoptr(PIX) colour = NULL;
          g_autoptr(PIX) grey = NULL;
          g_autoptr(PIX) bin = NULL;
          g_autoptr(PIX) ref_colour = NULL;
          g_autoptr(PIX) ref_grey = NULL;
          g_autoptr(PIX) ref_bin = NULL;
          int same = 0;

          g_autoptr(PIX) where = pixRotate (ids, (l_float32) (angles[i] * M_PI / 180.0),
                                            L_ROTATE_SHEAR, L_BRING_IN_WHITE, 0, 0);

          g_assert_true (_pe_clean_render (src, &a, TRUE, TRUE, specks, angles[i], 150,
                                           d == 0 ? &colour : NULL, &grey, &bin, FALSE));
          render_reference (src, &a, TRUE, TRUE, specks, where, 150, &ref_colour, &ref_grey,
                            &ref_bin);
          g_test_message ("%d bpp at %.1f°", pixGetDepth (src), angles[i]);
          pixEqual (grey, ref_grey, &same);
          g_assert_true (same);
          pixEqual (bin, ref_bin, &same);
          g_assert_true (same);
          if (d == 0)
            {
              pixEqual (colour, ref_colour, &same);
              g_assert_true (same);
            }
        }
    }

  /* Without normalising or erasing, the grey page is Leptonica's shear rotation itself. */
  {
    g_autoptr(PIX) grey = pe_clean_to_grey (rgb);
    g_auto(PeCleanAnalysis) a = { 0 };

    pixSetResolution (grey, 300, 300);
    g_assert_true (_pe_clean_analyse (grey, FALSE, 25.0, FALSE, FALSE, &a));
    for (guint i = 0; i < G_N_ELEMENTS (angles); i++)
      {
        g_autoptr(PIX) out = NULL;
        g_autoptr(PIX) expected = pixRotate (grey, (l_float32) (angles[i] * M_PI / 180.0),
                                             L_ROTATE_SHEAR, L_BRING_IN_WHITE, 0, 0);
        int same = 0;

        g_assert_true (_pe_clean_render (grey, &a, FALSE, FALSE, NULL, angles[i], 0, NULL, &out,
                                         NULL, FALSE));
        pixEqual (out, expected, &same);
        g_assert_true (same);
      }
  }
}

/* A page of @w × @h at 32 bpp: paper darkening towards one side, coloured blotches, dark
 * text-like bars, noise. */
static PIX *
synthetic_page (GRand *rand,
                int    w,
                int    h)
{
  PIX *pix = pixCreate (w, h, 32);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int base = 245 - 70 * x / w + g_rand_int_range (rand, -10, 10);
        int r = base, g = base - 6, b = base - 30;

        if ((y / 3) % 7 == 0 && (x / 4) % 5 != 0)
          r = g = b = g_rand_int_range (rand, 0, 100);
        if ((x - w / 3) * (x - w / 3) + (y - h / 2) * (y - h / 2) < (w * w + h * h) / 50)
          b = 255, r = 30;
        if (g_rand_int_range (rand, 0, 50) == 0)
          r = g_rand_int_range (rand, 0, 256);
        composeRGBPixel (CLAMP (r, 0, 255), CLAMP (g, 0, 255), CLAMP (b, 0, 255),
                         pixGetData (pix) + (gsize) y * pixGetWpl (pix) + x);
      }
  pixSetResolution (pix, 300, 300);
  return pix;
}

/* An analysis for a @w × @h page made up to exercise the renderer: an erase mask at 1/@factor
 * (a border strip, a block, single pixels; its size rounded down or up, as reductions may
 * leave it), a background map whose tiles may stop short of the page's edge, lifts from 0.7
 * to 4 (so that pixels saturate), one at the 16-bit limit, and a paper colour. */
static void
synthetic_analysis (GRand           *rand,
                    int              w,
                    int              h,
                    int              factor,
                    PeCleanAnalysis *a)
{
  gboolean up = g_rand_boolean (rand);
  int ew = MAX (1, up ? (w + factor - 1) / factor : w / factor);
  int eh = MAX (1, up ? (h + factor - 1) / factor : h / factor);
  int mw, mh;

  a->factor = factor;
  a->erase = pixCreate (ew, eh, 1);
  pixRasterop (a->erase, 0, 0, MIN (3, ew), eh, PIX_SET, NULL, 0, 0);
  pixRasterop (a->erase, ew / 2, eh / 3, MAX (1, ew / 5), MAX (1, eh / 7), PIX_SET, NULL, 0, 0);
  for (int k = 0; k < ew * eh / 40 + 1; k++)
    pixSetPixel (a->erase, g_rand_int_range (rand, 0, ew), g_rand_int_range (rand, 0, eh), 1);

  a->map_sx = g_rand_int_range (rand, 3, 60);
  a->map_sy = g_rand_int_range (rand, 3, 60);
  up = g_rand_boolean (rand);
  mw = MAX (1, up ? w / a->map_sx : (w + a->map_sx - 1) / a->map_sx);
  up = g_rand_boolean (rand);
  mh = MAX (1, up ? h / a->map_sy : (h + a->map_sy - 1) / a->map_sy);
  a->inv_map = pixCreate (mw, mh, 16);
  for (int j = 0; j < mh; j++)
    for (int i = 0; i < mw; i++)
      pixSetPixel (a->inv_map, i, j, g_rand_int_range (rand, 180, 1024));
  pixSetPixel (a->inv_map, mw - 1, 0, 65535);
  a->paper[0] = g_rand_int_range (rand, 200, 256);
  a->paper[1] = g_rand_int_range (rand, 200, 256);
  a->paper[2] = g_rand_int_range (rand, 150, 256);
}

/* Specks at full size: single pixels and runs across word boundaries. */
static PIX *
synthetic_specks (GRand *rand,
                  int    w,
                  int    h)
{
  PIX *specks = pixCreate (w, h, 1);

  for (int k = 0; k < w * h / 100 + 1; k++)
    pixSetPixel (specks, g_rand_int_range (rand, 0, w), g_rand_int_range (rand, 0, h), 1);
  pixRasterop (specks, 29, h / 2, 37, 1, PIX_SET, NULL, 0, 0);
  return specks;
}

static PIX *
to_depth (PIX *rgb,
          int  depth)
{
  PIX *pix;

  if (depth == 32)
    return pixClone (rgb);
  pix = pe_clean_to_grey (rgb);
  if (depth == 1)
    {
      PIX *bin = pixThresholdToBinary (pix, 128);

      pixDestroy (&pix);
      pix = bin;
    }
  pixSetResolution (pix, 300, 300);
  return pix;
}

/* Pages of odd sizes, from one pixel to wider than a strip (1024) with a part strip at the end
 * and taller than a band (16) with a part band, at every depth and skew, with and without
 * the background map, the erase mask and specks: the vector and the scalar code make the same
 * pages, byte for byte, and those of the per-pixel model with Leptonica's shears. */
static void
test_render_synthetic (void)
{
  static const int sizes[][2] = {
    { 1, 1 }, { 1, 6 }, { 5, 1 }, { 2, 3 }, { 7, 9 }, { 8, 8 }, { 17, 16 }, { 31, 33 },
    { 33, 31 }, { 64, 3 }, { 127, 129 }, { 250, 61 }, { 1024, 17 }, { 1025, 21 }, { 1061, 40 },
    { 2053, 19 },
  };
  static const int thresholds[] = { 160, 0, 255, 128, 300, -4 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  guint n = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int w = sizes[s][0], h = sizes[s][1];
      g_autoptr(PIX) rgb = synthetic_page (rand, w, h);

      for (guint i = 0; i < G_N_ELEMENTS (angles); i++)
        {
          g_autoptr(PIX) where = where_from (w, h, angles[i]);

          for (int depth = 32; depth >= 1; depth = depth == 32 ? 8 : depth - 7)
            {
              g_autoptr(PIX) src = to_depth (rgb, depth);
              g_autoptr(PIX) specks = synthetic_specks (rand, w, h);
              g_auto(PeCleanAnalysis) a = { 0 };
              /* Each combination of map, mask and specks in turn. */
              guint opts = n++ % 8;
              gboolean normalize = opts & 1, erase = opts & 2;
              PIX *sp = opts & 4 ? specks : NULL;
              int threshold = thresholds[n % G_N_ELEMENTS (thresholds)];
              g_autoptr(PIX) colour = NULL;
              g_autoptr(PIX) grey = NULL;
              g_autoptr(PIX) bin = NULL;
              g_autoptr(PIX) ref_colour = NULL;
              g_autoptr(PIX) ref_grey = NULL;
              g_autoptr(PIX) ref_bin = NULL;

              synthetic_analysis (rand, w, h, 1 << (n % 3), &a);
              render_both (src, &a, normalize, erase, sp, angles[i], threshold, &colour,
                           &grey, &bin);
              render_reference (src, &a, normalize, erase, sp, where, threshold, &ref_colour,
                                &ref_grey, &ref_bin);
              if (depth == 32)
                assert_same_pix (colour, ref_colour, "colour, model");
              assert_same_pix (grey, ref_grey, "grey, model");
              assert_same_pix (bin, ref_bin, "ink, model");
            }
        }
    }
  g_test_message ("%u renders", n);
}

/* The sample stack (200 dpi A4: grey and colour letters, QR separator sheets, and the first
 * letter at 1 bpp) with its real analysis (borders, holes, background map) and specks, at
 * every skew: the vector and the scalar code make the same pages. On a colour and a grey page
 * at two skews each (two and three shears) they are also the per-pixel model's, and without
 * map and mask the grey page is Leptonica's shear rotation itself. */
static void
test_render_samples (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint p = 1; p <= 8; p++)
    {
      g_autofree char *name = g_strdup_printf ("pages/p%04u.png", p == 8 ? 1 : p);
      g_autofree char *path = sample_path (name);
      g_autoptr(PIX) page = pixRead (path);
      g_autoptr(PIX) src = NULL;
      g_autoptr(PIX) specks = NULL;
      g_auto(PeCleanAnalysis) a = { 0 };
      int w, h;

      g_assert_nonnull (page);
      src = _pe_clean_plain (page);
      if (p == 8)
        {
          g_autoptr(PIX) grey = pe_clean_to_grey (src);

          pixDestroy (&src);
          src = pixThresholdToBinary (grey, 150);
        }
      pixSetResolution (src, 200, 200);
      pixGetDimensions (src, &w, &h, NULL);
      g_assert_true (_pe_clean_analyse (src, TRUE, 25.0, TRUE, TRUE, &a));
      g_assert_true (pixGetDepth (src) == 1 || a.inv_map != NULL);
      specks = synthetic_specks (rand, w, h);
      g_test_message ("p%04u: %d bpp, factor %d", p, pixGetDepth (src), a.factor);

      for (guint i = 0; i < G_N_ELEMENTS (angles); i++)
        {
          g_autoptr(PIX) colour = NULL;
          g_autoptr(PIX) grey = NULL;
          g_autoptr(PIX) bin = NULL;

          render_both (src, &a, TRUE, TRUE, specks, angles[i], PE_CLEAN_INK_THRESHOLD, &colour,
                       &grey, &bin);
          if ((p == 1 && (angles[i] == -2.7 || angles[i] == 5.0)) ||
              (p == 3 && (angles[i] == 0.3 || angles[i] == -4.2)))
            {
              g_autoptr(PIX) where = where_from (w, h, angles[i]);
              g_autoptr(PIX) ref_colour = NULL;
              g_autoptr(PIX) ref_grey = NULL;
              g_autoptr(PIX) ref_bin = NULL;

              render_reference (src, &a, TRUE, TRUE, specks, where, PE_CLEAN_INK_THRESHOLD,
                                &ref_colour, &ref_grey, &ref_bin);
              if (ref_colour != NULL)
                assert_same_pix (colour, ref_colour, "colour, model");
              assert_same_pix (grey, ref_grey, "grey, model");
              assert_same_pix (bin, ref_bin, "ink, model");
            }
          if (pixGetDepth (src) != 32 && fabs (angles[i]) >= 1.0)
            {
              /* Plain straightening: Leptonica's shear rotation (what pixRotate() does by shear;
               * at 1 bpp it samples beyond 0.06 rad), at 8 bpp of the grey page, at 1 bpp of
               * the ink (the renderer makes it 0/255 and thresholds it). */
              g_autoptr(PIX) expected = pixRotateShearCenter (src, (l_float32) (angles[i] * M_PI
                                                                                / 180.0),
                                                              L_BRING_IN_WHITE);
              PIX *got = NULL;

              pixDestroy (&grey);
              pixDestroy (&bin);
              render_both (src, &a, FALSE, FALSE, NULL, angles[i], 128, &colour, &grey, &bin);
              got = pixGetDepth (src) == 8 ? grey : bin;
              pixCopyResolution (expected, got);
              assert_same_pix_full (got, expected, FALSE, "plain rotation, Leptonica");
            }
        }
    }
}

/* The sign: a positive skew turns the page clockwise, as pixRotate() does (a line through the
 * centre goes down to the right), and nothing moves at 0. */
static void
test_render_direction (void)
{
  g_autoptr(PIX) page = pixCreate (1001, 501, 8);
  g_auto(PeCleanAnalysis) a = { 0 };

  pixSetAll (page);
  pixRasterop (page, 100, 250, 801, 1, PIX_CLR, NULL, 0, 0);
  a.factor = 1;
  for (int s = -1; s <= 1; s++)
    {
      g_autoptr(PIX) colour = NULL;
      g_autoptr(PIX) grey = NULL;
      g_autoptr(PIX) bin = NULL;
      int y_left = -1, y_right = -1;

      render_both (page, &a, FALSE, FALSE, NULL, 2.0 * s, 128, &colour, &grey, &bin);
      for (int y = 0; y < 501; y++)
        {
          l_uint32 v;

          pixGetPixel (bin, 150, y, &v);
          if (v)
            y_left = y;
          pixGetPixel (bin, 850, y, &v);
          if (v)
            y_right = y;
        }
      g_test_message ("skew %d°: line at %d left, %d right", 2 * s, y_left, y_right);
      g_assert_cmpint (y_left, >=, 0);
      g_assert_cmpint (y_right, >=, 0);
      /* tan 2° × 350 px = 12 px either side of the centre. */
      g_assert_cmpint (y_left, ==, 250 - 12 * s);
      g_assert_cmpint (y_right, ==, 250 + 12 * s);
    }
}

/* A page the renderer may use up (the final pass over a page nobody else holds) gives the
 * same pages, at two and three shears and in either direction, and the memory of the rows it
 * has passed goes back: they read as zero afterwards (a fresh anonymous page). */
static void
test_render_consume (void)
{
  static const double consume_angles[] = { 0.0, 1.0, -3.43, 5.0, -5.0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  int w = 1500, h = 2200;
  g_autoptr(PIX) rgb = synthetic_page (rand, w, h);
  g_autoptr(PIX) specks = synthetic_specks (rand, w, h);
  g_auto(PeCleanAnalysis) a = { 0 };

  synthetic_analysis (rand, w, h, 2, &a);
  for (guint i = 0; i < G_N_ELEMENTS (consume_angles); i++)
    {
      g_autoptr(PIX) used = pixCopy (NULL, rgb);
      g_autoptr(PIX) colour = NULL;
      g_autoptr(PIX) grey = NULL;
      g_autoptr(PIX) bin = NULL;
      g_autoptr(PIX) ref_colour = NULL;
      g_autoptr(PIX) ref_grey = NULL;
      g_autoptr(PIX) ref_bin = NULL;
      const l_uint32 *first;
      l_uint32 any = 0;

      g_assert_true (_pe_clean_render (rgb, &a, TRUE, TRUE, specks, consume_angles[i], 150,
                                       &ref_colour, &ref_grey, &ref_bin, FALSE));
      g_assert_true (_pe_clean_render (used, &a, TRUE, TRUE, specks, consume_angles[i], 150,
                                       &colour, &grey, &bin, TRUE));
      assert_same_pix (colour, ref_colour, "colour, consumed");
      assert_same_pix (grey, ref_grey, "grey, consumed");
      assert_same_pix (bin, ref_bin, "ink, consumed");

      /* The first 500 rows (3 MB) lie well behind the pass's reach at 5° (~130 rows); their
       * first page may share the allocation's header, so the test starts at row 10. */
      first = pixGetData (used) + (gsize) 10 * pixGetWpl (used);
      for (gsize k = 0; k < (gsize) 490 * pixGetWpl (used); k++)
        any |= first[k];
      g_assert_cmphex (any, ==, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  pe_clean_setup_process ();

  g_test_add_func ("/process/render/reference", test_render_reference);
  g_test_add_func ("/process/render/synthetic", test_render_synthetic);
  g_test_add_func ("/process/render/samples", test_render_samples);
  g_test_add_func ("/process/render/direction", test_render_direction);
  g_test_add_func ("/process/render/consume", test_render_consume);

  return g_test_run ();
}

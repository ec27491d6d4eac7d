/* pe-pdf-mrc.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A colour A4 page at 300 dpi is 26 MB of samples; as one JPEG that keeps small print crisp it
 * is half a megabyte. What must stay exact is the text, what must survive is the colour of a
 * stamp or a signature, and neither needs the other's encoding. So the text goes in at full
 * resolution as bitonal stencil masks (CCITT G4: lossless, no symbol matching), each painted in
 * its ink colour, and everything else (paper tone, highlighter, a logo's gradient) goes into a
 * JPEG at a third of the resolution — one in which the text has been replaced by the paper
 * around it, so that its edges are not paid for twice and cannot ghost beside the sharp mask.
 *
 * Nothing here needs transparency: stencil masks are plain PDF 1.0 painting, allowed by
 * every PDF/A level.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdf-mrc.h"

/* max − min of R, G, B below which an ink is grey: scanner noise and JPEG artefacts on black
 * text stay well under it, the blue or red of a stamp far above. */
#define CHROMA_MIN      40
/* Colour bins closer than this (RGB distance) to an ink's centre are that ink. */
#define INK_MERGE_DIST  64
/* Found text farther than this from every ink is something else (a photo, a rare colour). */
#define INK_MAX_DIST    110
/* An ink whose pixels mostly touch a larger ink is that ink's edge (anti-aliasing, blur, a
 * colour scanner's fringes), not an ink of its own. */
#define EDGE_FRACTION   0.6
#define HIST_SHIFT      5      /* 8 × 8 × 8 colour bins */
#define N_BINS          512

void
_pe_pdf_mrc_clear (PePdfMrc *mrc)
{
  _pe_pdf_image_clear (&mrc->background);
  for (guint i = 0; i < PE_PDF_MRC_MAX_LAYERS; i++)
    _pe_pdf_image_clear (&mrc->layers[i].mask);
  mrc->n_layers = 0;
}

guint
_pe_pdf_mrc_choose_factor (double dpi,
                           int    target_dpi)
{
  guint f = 1;

  /* never below the target: 300 dpi → 100, 200 → 100, 150 → 150, 400 → 100, 250 → 125 */
  while (f < 16 && dpi / (f + 1) >= target_dpi - 0.5)
    f++;
  return f;
}

/* Luminance in 8 bits, with Leptonica's weights (0.3, 0.5, 0.2) in fixed point: a yellow
 * highlighter is light and stays background, while blue and red inks are dark enough to count
 * as text. */
static inline guint
text_luminance (l_uint32 p)
{
  return (77 * ((p >> L_RED_SHIFT) & 0xff) + 128 * ((p >> L_GREEN_SHIFT) & 0xff) +
          51 * ((p >> L_BLUE_SHIFT) & 0xff) + 128) >> 8;
}

/* Every fourth pixel of every fourth row, in grey: what the text finder's decisions (the
 * paper's tone, the threshold) are measured on, at a sixteenth of the cost. */
#define DECIDE_STEP 4

static PIX *
subsample_luminance (PIX *pix)
{
  guint w = pixGetWidth (pix) / DECIDE_STEP, h = pixGetHeight (pix) / DECIDE_STEP;
  gboolean rgb = pixGetDepth (pix) == 32;
  PIX *small = pixCreate (MAX (w, 1), MAX (h, 1), 8);
  const l_uint32 *data = pixGetData (pix);
  guint wpl = pixGetWpl (pix), swpl = pixGetWpl (small);

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) DECIDE_STEP * y * wpl;
      l_uint32 *sline = pixGetData (small) + (gsize) y * swpl;

      for (guint x = 0; x < w; x++)
        SET_DATA_BYTE (sline, x, rgb ? text_luminance (line[DECIDE_STEP * x])
                                     : GET_DATA_BYTE (line, DECIDE_STEP * x));
    }
  return small;
}

/* The text finder's tiles of paper tone: 4 × 4 pixels of the reduced copy, 16 × 16 on the page
 * (pixBackgroundNorm() is usually run with 10 × 15 at full resolution), of which a third must
 * be paper. */
#define TILE        4
#define TILE_MIN    5
#define BG_DARK     100    /* darker than this is ink, not paper, when measuring the tone */

#ifdef __SSE2__
/* The bit-reversed byte: the SIMD compare yields the first pixel lowest, Leptonica wants it
 * highest. */
static guint8 reversed[256];

static gpointer
init_reversed (gpointer data)
{
  for (guint i = 0; i < 256; i++)
    {
      guint r = 0;

      for (guint b = 0; b < 8; b++)
        r |= ((i >> b) & 1) << (7 - b);
      reversed[i] = r;
    }
  return NULL;
}

/* 32 pixels of a 32 bpp row against their cuts: bit 31 - k set where pixel k's weighted sum
 * 77 R + 128 G + 51 B is below cut[k]. Four pixels per instruction; the same result as the
 * plain loop below. */
static inline l_uint32
text_word_sse2 (const l_uint32 *line,
                const guint32  *cut)
{
  /* in memory a pixel is A, B, G, R: as 16-bit lanes (B << 8 | A) and (R << 8 | G) */
  const __m128i w_br = _mm_set1_epi32 (51 | (77 << 16));
  const __m128i w_ag = _mm_set1_epi32 (0 | (128 << 16));
  const __m128i low = _mm_set1_epi16 (0xff);
  __m128i lt[8];
  l_uint32 word = 0;

  G_STATIC_ASSERT (L_RED_SHIFT == 24 && L_GREEN_SHIFT == 16 && L_BLUE_SHIFT == 8);

  for (guint q = 0; q < 8; q++)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (line + 4 * q));
      __m128i x = _mm_add_epi32 (_mm_madd_epi16 (_mm_srli_epi16 (v, 8), w_br),
                                 _mm_madd_epi16 (_mm_and_si128 (v, low), w_ag));

      lt[q] = _mm_cmplt_epi32 (x, _mm_loadu_si128 ((const __m128i *) (cut + 4 * q)));
    }
  for (guint half = 0; half < 2; half++)
    {
      __m128i a = _mm_packs_epi32 (lt[4 * half], lt[4 * half + 1]);
      __m128i b = _mm_packs_epi32 (lt[4 * half + 2], lt[4 * half + 3]);
      guint m = _mm_movemask_epi8 (_mm_packs_epi16 (a, b));

      word |= (l_uint32) ((reversed[m & 0xff] << 8) | reversed[m >> 8]) << (16 - 16 * half);
    }
  return word;
}
#endif

/* 1 where the page's luminance, normalised by its tile's inverse paper tone @inv (16 bpp,
 * value 256 × 255 / tone, as pixApplyInvBackgroundGrayMap() applies it; NULL: none), is below
 * @thresh. One pass over the page, no grey or normalised copy of it: per tile the threshold
 * is carried back to the unnormalised luminance, lum × inv / 256 < thresh ⇔ lum < ⌈thresh ×
 * 256 / inv⌉, and for colour on to the weighted sum X = 77 R + 128 G + 51 B, whose luminance
 * (X + 128) / 256 is below a cut c exactly when X < 256 c − 128. */
static PIX *
threshold_by_tiles (PIX   *page,
                    PIX   *inv,
                    guint  tile_w,
                    guint  tile_h,
                    guint  thresh)
{
  guint w = pixGetWidth (page), h = pixGetHeight (page);
  gboolean rgb = pixGetDepth (page) == 32;
  PIX *bw = pixCreate (w, h, 1);
  const l_uint32 *data = pixGetData (page);
  guint wpl = pixGetWpl (page), bwpl = pixGetWpl (bw);
  g_autofree guint32 *cut = g_new (guint32, w);
  guint mw = inv != NULL ? pixGetWidth (inv) : 0, mh = inv != NULL ? pixGetHeight (inv) : 0;
  guint tile_row = G_MAXUINT;
#ifdef __SSE2__
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_reversed, NULL);
#endif

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;
      l_uint32 *bline = pixGetData (bw) + (gsize) y * bwpl;
      guint x0 = 0;

      if (inv != NULL ? MIN (y / tile_h, mh - 1) != tile_row : y == 0)
        {
          const l_uint32 *iline = NULL;

          if (inv != NULL)
            {
              tile_row = MIN (y / tile_h, mh - 1);
              iline = pixGetData (inv) + (gsize) tile_row * pixGetWpl (inv);
            }
          for (guint x = 0; x < w; x++)
            {
              guint v = iline != NULL ? GET_DATA_TWO_BYTES (iline, MIN (x / tile_w, mw - 1)) : 256;
              guint c = v == 0 ? 256 : MIN (256, (thresh * 256 + v - 1) / v);

              cut[x] = rgb ? 256 * c - 128 : c;
            }
        }

#ifdef __SSE2__
      if (rgb)
        for (; x0 + 32 <= w; x0 += 32)
          bline[x0 / 32] = text_word_sse2 (line + x0, cut + x0);
#endif
      for (; x0 < w; x0 += 32)
        {
          guint n = MIN (32, w - x0);
          l_uint32 word = 0;

          if (rgb)
            for (guint k = 0; k < n; k++)
              {
                l_uint32 p = line[x0 + k];
                guint x = 77 * ((p >> L_RED_SHIFT) & 0xff) + 128 * ((p >> L_GREEN_SHIFT) & 0xff) +
                          51 * ((p >> L_BLUE_SHIFT) & 0xff);

                word |= (l_uint32) (x < cut[x0 + k]) << (31 - k);
              }
          else
            for (guint k = 0; k < n; k++)
              word |= (l_uint32) (GET_DATA_BYTE (line, x0 + k) < cut[x0 + k]) << (31 - k);
          bline[x0 / 32] = word;
        }
    }
  return bw;
}

/* Word @j of @row (NULL: a row outside the page) with every pixel x holding pixel x + @k. */
static inline l_uint32
shifted (const l_uint32 *row,
         int             j,
         int             wpl,
         int             k)
{
  l_uint32 cur, next;

  if (row == NULL)
    return 0;
  cur = j >= 0 && j < wpl ? row[j] : 0;
  if (k == 0)
    return cur;
  if (k > 0)
    {
      next = j + 1 < wpl ? row[j + 1] : 0;
      return (cur << k) | (next >> (32 - k));
    }
  next = j > 0 ? row[j - 1] : 0;
  return (cur >> -k) | (next << (32 + k));
}

/* Removes the specks of at most 2 × 2 pixels from @bw (1 bpp, pad bits 0): dust, not letters
 * (even an i's dot is larger at 200 dpi), and each would cost G4 codes. A speck is found
 * without labelling components, by 32 pixels at a time: whatever lies in a 2 × 2 window whose
 * 1-pixel ring holds no ink is a component of its own, and at most 2 × 2 large. (A speck
 * closer than 2 pixels to other ink may keep every window's ring busy; it then stays — never
 * does a pixel of a larger component go.) */
static void
remove_specks (PIX *bw)
{
  int h = pixGetHeight (bw), wpl = pixGetWpl (bw);
  l_uint32 *data = pixGetData (bw);
  g_autofree l_uint32 *orig = g_memdup2 (data, (gsize) wpl * h * 4);
  g_autofree l_uint32 *e_prev = g_new0 (l_uint32, wpl);
  g_autofree l_uint32 *e_cur = g_new0 (l_uint32, wpl);

#define ROW(r) ((r) >= 0 && (r) < h ? orig + (gsize) (r) * wpl : NULL)
  /* e_cur after row y: bit x set where the window with top left (x, y) has an empty ring */
  for (int y = -1; y < h; y++)
    {
      const l_uint32 *above = ROW (y - 1), *top = ROW (y), *bottom = ROW (y + 1);
      const l_uint32 *below = ROW (y + 2);

      for (int j = 0; j < wpl; j++)
        {
          l_uint32 ring = 0, v_left, v_right;

          for (int k = -1; k <= 2; k++)
            ring |= shifted (above, j, wpl, k) | shifted (below, j, wpl, k);
          v_left = shifted (top, j, wpl, -1) | shifted (bottom, j, wpl, -1);
          v_right = shifted (top, j, wpl, 2) | shifted (bottom, j, wpl, 2);
          e_cur[j] = ~(ring | v_left | v_right);
        }

      /* Row y lies in the windows with top row y - 1 and y, at columns x - 1 and x. */
      if (top != NULL)
        for (int j = 0; j < wpl; j++)
          {
            l_uint32 speck = top[j] & (e_cur[j] | shifted (e_cur, j, wpl, -1) |
                                       e_prev[j] | shifted (e_prev, j, wpl, -1));

            data[(gsize) y * wpl + j] &= ~speck;
          }
      memcpy (e_prev, e_cur, wpl * sizeof (l_uint32));
    }
#undef ROW
}

PIX *
_pe_pdf_mrc_find_text (PIX *pix)
{
  g_autoptr(PIX) small = NULL;
  g_autoptr(PIX) map = NULL;
  g_autoptr(PIX) inv = NULL;
  g_autoptr(PIX) norm = NULL;
  l_int32 thresh = 0;
  PIX *bw;

  g_return_val_if_fail (pixGetDepth (pix) == 8 || pixGetDepth (pix) == 32, NULL);

  /* Paper tone, shading and grey recycled paper become white, so one threshold fits the
   * whole page. Leptonica refuses pages smaller than its tiles; those are taken as they are. */
  small = subsample_luminance (pix);
  if (pixGetWidth (small) >= 2 * TILE && pixGetHeight (small) >= 2 * TILE &&
      pixGetBackgroundGrayMap (small, NULL, TILE, TILE, BG_DARK, TILE_MIN, &map) == 0)
    inv = pixGetInvBackgroundMap (map, 255, 2, 2);
  norm = inv != NULL ? pixApplyInvBackgroundGrayMap (small, inv, TILE, TILE) : pixClone (small);

  /* Otsu between ink and paper, bounded: on an empty page it would otherwise split the paper's
   * noise into "text", and on a page of faint print it must not reach into the paper. */
  if (norm == NULL || pixSplitDistributionFgBg (norm, 0.1, 1, &thresh, NULL, NULL, NULL) != 0)
    thresh = 160;
  thresh = CLAMP (thresh, 100, 200);

  bw = threshold_by_tiles (pix, inv, DECIDE_STEP * TILE, DECIDE_STEP * TILE, thresh);
  remove_specks (bw);
  pixCopyResolution (bw, pix);
  return bw;
}

typedef struct
{
  guint  count;
  double r, g, b;
} Bin;

typedef struct
{
  double   r, g, b;         /* centre, for assigning pixels */
  gboolean grey;
  /* per luminance: count and colour sums, for the colour of the ink's darker half */
  guint    lum_count[256];
  guint64  lum_sum[256][3];
  guint    n_pixels;
  PIX     *pix;
  int      x0, y0, x1, y1;  /* bounding box of its pixels, inclusive */
} Ink;

static inline guint
luminance (guint r,
           guint g,
           guint b)
{
  return (77 * r + 150 * g + 29 * b) >> 8;
}

static inline double
distance2 (const Ink *ink,
           double     r,
           double     g,
           double     b)
{
  return (ink->r - r) * (ink->r - r) + (ink->g - g) * (ink->g - g) +
         (ink->b - b) * (ink->b - b);
}

/* The dominant chromatic inks: repeatedly the fullest colour bin together with every bin near
 * it, as long as that holds at least @min_count pixels. */
static guint
find_inks (Bin   *bins,
           Ink   *inks,
           guint  max_inks,
           guint  min_count)
{
  guint n = 0;

  while (n < max_inks)
    {
      guint best = 0;
      double pr, pg, pb, total = 0;
      Ink *ink;

      for (guint i = 1; i < N_BINS; i++)
        if (bins[i].count > bins[best].count)
          best = i;
      if (bins[best].count == 0)
        break;

      pr = bins[best].r / bins[best].count;
      pg = bins[best].g / bins[best].count;
      pb = bins[best].b / bins[best].count;
      ink = &inks[n];
      ink->r = ink->g = ink->b = 0;
      for (guint i = 0; i < N_BINS; i++)
        {
          double r, g, b;

          if (bins[i].count == 0)
            continue;
          r = bins[i].r / bins[i].count;
          g = bins[i].g / bins[i].count;
          b = bins[i].b / bins[i].count;
          if ((r - pr) * (r - pr) + (g - pg) * (g - pg) + (b - pb) * (b - pb) >
              INK_MERGE_DIST * INK_MERGE_DIST)
            continue;
          ink->r += bins[i].r;
          ink->g += bins[i].g;
          ink->b += bins[i].b;
          total += bins[i].count;
          bins[i].count = 0;
        }
      if (total < min_count)
        continue;   /* too rare to be an ink; its bins are gone, look at the next */
      ink->r /= total;
      ink->g /= total;
      ink->b /= total;
      n++;
    }
  return n;
}

/* Colour alone cannot tell a lighter ink (a stamp beside a dark blue letterhead) from the
 * lighter edge of a darker one: both are mixes of it with paper. Where they lie can: a
 * cluster whose pixels mostly touch a larger ink's is its edge and is merged into it. */
/* How many pixels of ink @a touch ink @b (lie within 1 pixel of one of its pixels). Only @a's
 * bounding box is looked at, grown by the one pixel the touch can reach: a stamp's box is a
 * small part of the page. */
static guint
count_touching (const Ink *a,
                const Ink *b)
{
  BOX *box;
  g_autoptr(PIX) a_part = NULL;
  g_autoptr(PIX) b_part = NULL;
  g_autoptr(PIX) grown = NULL;
  int w = pixGetWidth (a->pix), h = pixGetHeight (a->pix);
  int x0 = MAX (a->x0 - 1, 0), y0 = MAX (a->y0 - 1, 0);
  int x1 = MIN (a->x1 + 1, w - 1), y1 = MIN (a->y1 + 1, h - 1);
  l_int32 n = 0;

  if (a->x1 < b->x0 - 1 || b->x1 < a->x0 - 1 || a->y1 < b->y0 - 1 || b->y1 < a->y0 - 1)
    return 0;
  box = boxCreate (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  a_part = pixClipRectangle (a->pix, box, NULL);
  b_part = pixClipRectangle (b->pix, box, NULL);
  boxDestroy (&box);
  if (a_part == NULL || b_part == NULL)
    return 0;
  /* b's pixels just outside the box cannot reach into a's box, which lies 1 pixel inside */
  grown = pixDilateBrick (NULL, b_part, 3, 3);
  pixAnd (grown, grown, a_part);
  pixCountPixels (grown, &n, NULL);
  return n;
}

/* Colour alone cannot tell a lighter ink (a stamp beside a dark blue letterhead) from the
 * lighter edge of a darker one: both are mixes of it with paper. Where they lie can: a
 * cluster whose pixels mostly touch a larger ink's is its edge and is merged into it. */
static void
merge_edge_inks (Ink   *inks,
                 guint  n_inks)
{
  gboolean seen[PE_PDF_MRC_MAX_LAYERS] = { FALSE };

  for (;;)
    {
      guint a = 0, b = 0, smallest = G_MAXUINT;
      double best = 0;

      /* the smallest ink first: it is the likeliest edge */
      for (guint i = 1; i < n_inks; i++)
        if (inks[i].pix != NULL && inks[i].n_pixels < smallest && !seen[i])
          {
            smallest = inks[i].n_pixels;
            a = i;
          }
      if (a == 0)
        break;
      seen[a] = TRUE;
      if (inks[a].n_pixels == 0)
        continue;

      for (guint i = 0; i < n_inks; i++)
        {
          double f;

          if (i == a || inks[i].pix == NULL || inks[i].n_pixels <= inks[a].n_pixels)
            continue;
          f = (double) count_touching (&inks[a], &inks[i]) / inks[a].n_pixels;
          if (f > best)
            {
              best = f;
              b = i;
            }
        }
      if (best < EDGE_FRACTION)
        continue;

      pixOr (inks[b].pix, inks[b].pix, inks[a].pix);
      for (guint l = 0; l < 256; l++)
        {
          inks[b].lum_count[l] += inks[a].lum_count[l];
          for (guint c = 0; c < 3; c++)
            inks[b].lum_sum[l][c] += inks[a].lum_sum[l][c];
        }
      inks[b].n_pixels += inks[a].n_pixels;
      inks[b].x0 = MIN (inks[b].x0, inks[a].x0);
      inks[b].y0 = MIN (inks[b].y0, inks[a].y0);
      inks[b].x1 = MAX (inks[b].x1, inks[a].x1);
      inks[b].y1 = MAX (inks[b].y1, inks[a].y1);
      pixDestroy (&inks[a].pix);
    }
}

/* The mean colour of the ink's darker half: its anti-aliased and blurred edges are lighter than
 * the ink, and painting them all in the plain mean would make every letter look washed out. */
static void
ink_colour (const Ink *ink,
            guint8     rgb[3])
{
  guint64 sum[3] = { 0 };
  guint n = 0;

  for (guint l = 0; l < 256 && n * 2 < ink->n_pixels; l++)
    {
      n += ink->lum_count[l];
      for (guint c = 0; c < 3; c++)
        sum[c] += ink->lum_sum[l][c];
    }
  for (guint c = 0; c < 3; c++)
    rgb[c] = n > 0 ? (sum[c] + n / 2) / n : 0;
  if (ink->grey)
    rgb[1] = rgb[2] = rgb[0] = luminance (rgb[0], rgb[1], rgb[2]);
}

static inline void
get_pixel (const l_uint32 *line,
           guint           x,
           gboolean        rgb,
           guint          *r,
           guint          *g,
           guint          *b)
{
  if (rgb)
    {
      l_uint32 p = line[x];

      *r = (p >> L_RED_SHIFT) & 0xff;
      *g = (p >> L_GREEN_SHIFT) & 0xff;
      *b = (p >> L_BLUE_SHIFT) & 0xff;
    }
  else
    {
      *r = *g = *b = GET_DATA_BYTE (line, x);
    }
}

/* Splits the text pixels into one 1 bpp PIX per ink. Returns the number of inks. */
static guint
split_inks (PIX      *page,
            PIX      *mask,
            gboolean  exact,
            Ink      *inks)
{
  guint w = pixGetWidth (page), h = pixGetHeight (page);
  gboolean rgb = pixGetDepth (page) == 32;
  const l_uint32 *data = pixGetData (page), *mdata = pixGetData (mask);
  guint wpl = pixGetWpl (page), mwpl = pixGetWpl (mask);
  g_autofree Bin *bins = g_new0 (Bin, N_BINS);
  guint64 grey_sum = 0;
  guint n_grey = 0, n_colour = 0, n_inks, min_count;
  Ink *dark;

  /* Pass 1: colour histogram of the chromatic text pixels. */
  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl, *mline = mdata + (gsize) y * mwpl;

      for (guint wx = 0; wx < (w + 31) / 32; wx++)
        {
          /* only the set bits: text is a tenth of the page */
          for (l_uint32 m = mline[wx]; m != 0; m &= m - 1)
            {
              guint x = wx * 32 + 31 - __builtin_ctz (m), r, g, b;

              if (x >= w)
                continue;
              get_pixel (line, x, rgb, &r, &g, &b);
              if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) < CHROMA_MIN)
                {
                  grey_sum += luminance (r, g, b);
                  n_grey++;
                }
              else
                {
                  Bin *bin = &bins[((r >> HIST_SHIFT) << 6) | ((g >> HIST_SHIFT) << 3) |
                                   (b >> HIST_SHIFT)];

                  bin->count++;
                  bin->r += r;
                  bin->g += g;
                  bin->b += b;
                  n_colour++;
                }
            }
        }
    }

  /* Ink 0 is the grey one (black text). A colour needs 1/20000 of the page (435 pixels at
   * 300 dpi A4: a stamp has thousands) to be an ink; a given mask must be kept whole, so there
   * any colour that is present becomes an ink. */
  memset (inks, 0, sizeof (Ink) * PE_PDF_MRC_MAX_LAYERS);
  dark = &inks[0];
  dark->grey = TRUE;
  if (n_grey > 0)
    dark->r = dark->g = dark->b = (double) grey_sum / n_grey;
  min_count = exact ? 1 : MAX (200, (guint) ((guint64) w * h / 20000));
  n_inks = 1 + find_inks (bins, inks + 1, PE_PDF_MRC_MAX_LAYERS - 1, min_count);
  g_assert (!exact || n_colour == 0 || n_inks > 1);   /* min_count 1 takes the fullest bin */

  for (guint i = 0; i < n_inks; i++)
    {
      inks[i].pix = pixCreate (w, h, 1);
      pixCopyResolution (inks[i].pix, page);
    }

  /* Pass 2: each text pixel to its ink. */
  for (guint i = 0; i < n_inks; i++)
    {
      inks[i].x0 = inks[i].y0 = G_MAXINT;
      inks[i].x1 = inks[i].y1 = -1;
    }
  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl, *mline = mdata + (gsize) y * mwpl;

      for (guint wx = 0; wx < (w + 31) / 32; wx++)
        {
          for (l_uint32 m = mline[wx]; m != 0; m &= m - 1)
            {
              guint x = wx * 32 + 31 - __builtin_ctz (m), r, g, b, k = 0, l;
              Ink *ink;

              if (x >= w)
                continue;
              get_pixel (line, x, rgb, &r, &g, &b);
              if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) >= CHROMA_MIN)
                {
                  double best = G_MAXDOUBLE;

                  for (guint i = 1; i < n_inks; i++)
                    {
                      double d = distance2 (&inks[i], r, g, b);

                      if (d < best)
                        {
                          best = d;
                          k = i;
                        }
                    }
                  if (best > INK_MAX_DIST * INK_MAX_DIST)
                    {
                      if (!exact)
                        continue;
                      if (n_grey > 0 && distance2 (dark, r, g, b) < best)
                        k = 0;
                    }
                }
              ink = &inks[k];
              SET_DATA_BIT (pixGetData (ink->pix) + (gsize) y * pixGetWpl (ink->pix), x);
              l = luminance (r, g, b);
              ink->lum_count[l]++;
              ink->lum_sum[l][0] += r;
              ink->lum_sum[l][1] += g;
              ink->lum_sum[l][2] += b;
              ink->n_pixels++;
              ink->x0 = MIN (ink->x0, (int) x);
              ink->x1 = MAX (ink->x1, (int) x);
              ink->y0 = MIN (ink->y0, (int) y);
              ink->y1 = MAX (ink->y1, (int) y);
            }
        }
    }

  merge_edge_inks (inks, n_inks);
  return n_inks;
}

/* The sums of one block of @page's pixels outside @exclude. R and B are summed side by side in
 * the 16-bit halves of one word (a block has at most 16 × 16 pixels, whose sum of one channel
 * stays below 65536), in registers: the page is read once, block row by block row. */
static inline guint
sum_block (const l_uint32 *data,
           guint           wpl,
           const l_uint32 *edata,
           guint           ewpl,
           gboolean        rgb,
           guint           x0,
           guint           y0,
           guint           nx,
           guint           ny,
           guint32        *rb,
           guint32        *g)
{
  guint32 sum_rb = 0, sum_g = 0, n = 0;

  for (guint y = y0; y < y0 + ny; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl, *eline = edata + (gsize) y * ewpl;
      guint j = x0 >> 5;
      /* the @nx exclusion bits of this row of the block, its first pixel highest */
      guint64 window = ((guint64) eline[j] << 32) | (j + 1 < ewpl ? eline[j + 1] : 0);
      guint32 bits = (guint32) ((window << (x0 & 31)) >> (64 - nx));

      if (bits == 0)
        {
          /* the common case: paper only */
          for (guint x = x0; x < x0 + nx; x++)
            if (rgb)
              {
                sum_rb += (line[x] >> L_BLUE_SHIFT) & 0x00ff00ff;
                sum_g += (line[x] >> L_GREEN_SHIFT) & 0xff;
              }
            else
              {
                sum_g += GET_DATA_BYTE (line, x);
              }
          n += nx;
          continue;
        }

      for (guint x = x0, k = nx - 1; x < x0 + nx; x++, k--)
        {
          /* all ones where the pixel counts, zero where it is text or halo */
          l_uint32 keep = ((bits >> k) & 1) - 1;

          if (rgb)
            {
              l_uint32 p = line[x];

              sum_rb += (p >> L_BLUE_SHIFT) & 0x00ff00ff & keep;
              sum_g += (p >> L_GREEN_SHIFT) & 0xff & keep;
            }
          else
            {
              sum_g += GET_DATA_BYTE (line, x) & keep;
            }
          n += keep & 1;
        }
    }
  *rb = sum_rb;
  *g = sum_g;
  return n;
}

/* The page reduced by @factor from the pixels outside @exclude; blocks that lie wholly under
 * it take the colour of the paper around them, spreading inwards ring by ring. */
static PIX *
reduce_background (PIX   *page,
                   PIX   *exclude,
                   guint  factor)
{
  guint w = pixGetWidth (page), h = pixGetHeight (page);
  guint bw = (w + factor - 1) / factor, bh = (h + factor - 1) / factor;
  gboolean rgb = pixGetDepth (page) == 32;
  guint nc = rgb ? 3 : 1;
  const l_uint32 *data = pixGetData (page), *edata = pixGetData (exclude);
  guint wpl = pixGetWpl (page), ewpl = pixGetWpl (exclude);
  gsize n = (gsize) bw * bh;
  g_autofree guint8 *value = g_new0 (guint8, n * nc);
  g_autofree guint32 *gen = g_new0 (guint32, n);    /* wave that filled the block; 0 = hole */
  g_autofree guint8 *queued = g_new0 (guint8, n);
  g_autoptr(GArray) wave = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (guint32));
  gsize n_filled = 0;
  PIX *bg;

  for (guint by = 0; by < bh; by++)
    for (guint bx = 0; bx < bw; bx++)
      {
        gsize i = (gsize) by * bw + bx;
        guint32 rb, g;
        guint count = sum_block (data, wpl, edata, ewpl, rgb, bx * factor, by * factor,
                                 MIN (factor, w - bx * factor), MIN (factor, h - by * factor),
                                 &rb, &g);

        if (count == 0)
          continue;
        gen[i] = 1;
        n_filled++;
        if (rgb)
          {
            value[3 * i] = ((rb >> 16) + count / 2) / count;
            value[3 * i + 1] = (g + count / 2) / count;
            value[3 * i + 2] = ((rb & 0xffff) + count / 2) / count;
          }
        else
          {
            value[i] = (g + count / 2) / count;
          }
      }

#define FOR_NEIGHBOURS(i, j)                                                          \
  for (int dy_ = -1; dy_ <= 1; dy_++)                                                 \
    for (int dx_ = -1; dx_ <= 1; dx_++)                                               \
      for (int nx_ = (int) ((i) % bw) + dx_, ny_ = (int) ((i) / bw) + dy_, once_ = 1;   \
           once_ && nx_ >= 0 && ny_ >= 0 && nx_ < (int) bw && ny_ < (int) bh; once_ = 0) \
        for (gsize j = (gsize) ny_ * bw + nx_; once_; once_ = 0)

  /* The holes next to paper, then wave by wave inwards: each wave fills its holes with the mean
   * of their neighbours filled by earlier waves, so the paper flows in evenly from all sides. */
  if (n_filled > 0)
    for (gsize i = 0; i < n; i++)
      if (gen[i] == 0)
        FOR_NEIGHBOURS (i, j)
          if (gen[j] == 1 && !queued[i])
            {
              guint32 hole = i;

              queued[i] = 1;
              g_array_append_val (wave, hole);
            }

  for (guint32 pass = 2; wave->len > 0; pass++)
    {
      GArray *tmp;

      for (guint k = 0; k < wave->len; k++)
        {
          guint32 i = g_array_index (wave, guint32, k);
          guint acc[3] = { 0 }, m = 0;

          FOR_NEIGHBOURS (i, j)
            if (gen[j] != 0 && gen[j] < pass)
              {
                for (guint c = 0; c < nc; c++)
                  acc[c] += value[nc * j + c];
                m++;
              }
          g_assert (m > 0);
          for (guint c = 0; c < nc; c++)
            value[nc * i + c] = (acc[c] + m / 2) / m;
          gen[i] = pass;
        }

      g_array_set_size (next, 0);
      for (guint k = 0; k < wave->len; k++)
        {
          guint32 i = g_array_index (wave, guint32, k);

          FOR_NEIGHBOURS (i, j)
            if (gen[j] == 0 && !queued[j])
              {
                guint32 hole = j;

                queued[j] = 1;
                g_array_append_val (next, hole);
              }
        }
      tmp = wave;
      wave = next;
      next = tmp;
    }
#undef FOR_NEIGHBOURS

  /* nothing but text on the whole page: white paper */
  if (n_filled == 0)
    memset (value, 0xff, n * nc);

  bg = pixCreate (bw, bh, rgb ? 32 : 8);
  for (guint y = 0; y < bh; y++)
    {
      l_uint32 *line = pixGetData (bg) + (gsize) y * pixGetWpl (bg);

      for (guint x = 0; x < bw; x++)
        {
          const guint8 *v = value + nc * ((gsize) y * bw + x);

          if (rgb)
            composeRGBPixel (v[0], v[1], v[2], line + x);
          else
            SET_DATA_BYTE (line, x, v[0]);
        }
    }
  return bg;
}

/* Whether a colour background is grey in all but noise; then DeviceGray saves a third. */
static gboolean
is_grey (PIX *bg)
{
  guint w = pixGetWidth (bg), h = pixGetHeight (bg);
  guint64 n_colour = 0;

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = pixGetData (bg) + (gsize) y * pixGetWpl (bg);

      for (guint x = 0; x < w; x++)
        {
          l_int32 r, g, b;

          extractRGBValues (line[x], &r, &g, &b);
          if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > 16)
            n_colour++;
        }
    }
  /* one in a thousand: a coloured logo or a highlighted line is far more */
  return n_colour * 1000 <= (guint64) w * h;
}

gboolean
_pe_pdf_mrc_encode (PePdfMrc   *mrc,
                    PIX        *pix,
                    PIX        *mask,
                    guint       factor,
                    int         jpeg_quality,
                    GError    **error)
{
  g_autoptr(PIX) page = NULL;
  g_autoptr(PIX) found = NULL;
  g_autoptr(PIX) text = NULL;
  g_autoptr(PIX) exclude = NULL;
  g_autoptr(PIX) bg = NULL;
  Ink inks[PE_PDF_MRC_MAX_LAYERS];
  gboolean exact = mask != NULL;
  l_uint8 *jpeg = NULL;
  size_t jpeg_len = 0;
  guint n_inks, halo;
  gint64 start = g_get_monotonic_time ();

  memset (mrc, 0, sizeof *mrc);
  g_assert (factor >= 1 && factor <= 16);

  page = _pe_pdf_image_normalize (pix);
  if (page == NULL || pixGetDepth (page) == 1)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("Only a grey or colour page can be split into text and background. "
                     "Save black-and-white pages without it."));
      return FALSE;
    }
  if (mask == NULL)
    {
      found = _pe_pdf_mrc_find_text (page);
      if (found == NULL)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                       _("The text of the page could not be told from its background. "
                         "Save the page as a colour image instead."));
          return FALSE;
        }
      mask = found;
    }
  g_assert (pixGetDepth (mask) == 1);
  g_assert (pixGetWidth (mask) == pixGetWidth (page));
  g_assert (pixGetHeight (mask) == pixGetHeight (page));

  n_inks = split_inks (page, mask, exact, inks);

  text = pixCreateTemplate (mask);
  for (guint i = 0; i < n_inks; i++)
    {
      l_int32 empty = 1;
      PePdfMrcLayer *layer;

      if (inks[i].pix != NULL)
        pixZero (inks[i].pix, &empty);
      if (empty)
        {
          pixDestroy (&inks[i].pix);
          continue;
        }
      pixOr (text, text, inks[i].pix);

      layer = &mrc->layers[mrc->n_layers++];
      ink_colour (&inks[i], layer->rgb);
      layer->n_pixels = inks[i].n_pixels;
      layer->mask.width = pixGetWidth (inks[i].pix);
      layer->mask.height = pixGetHeight (inks[i].pix);
      layer->mask.bits_per_component = 1;
      layer->mask.image_mask = TRUE;
      layer->mask.filter = "CCITTFaxDecode";
      layer->mask.data = _pe_pdf_image_encode_g4 (inks[i].pix, NULL);
      pixDestroy (&inks[i].pix);
      if (layer->mask.data == NULL)
        {
          for (guint k = i + 1; k < n_inks; k++)
            pixDestroy (&inks[k].pix);
          _pe_pdf_mrc_clear (mrc);
          g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                       _("The text of the page could not be compressed. "
                         "Try again; if it keeps failing, report a bug."));
          return FALSE;
        }
      _pe_pdf_image_set_decode_parms (&layer->mask);
    }

  /* The letters' anti-aliased fringe, 1 pixel per 150 dpi, is left out of the background
   * too: averaged in, it would draw a grey shadow around every sharp letter. */
  halo = MAX (1, (guint) (pixGetXRes (page) / 150.0 + 0.5));
  exclude = pixDilateBrick (NULL, text, 2 * halo + 1, 2 * halo + 1);
  bg = reduce_background (page, exclude, factor);
  if (pixGetDepth (bg) == 32 && is_grey (bg))
    {
      PIX *g = pixConvertRGBToLuminance (bg);

      pixDestroy (&bg);
      bg = g;
    }

  if (pixWriteMemJpeg (&jpeg, &jpeg_len, bg, jpeg_quality, 0) != 0)
    {
      _pe_pdf_mrc_clear (mrc);
      g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                   _("The page background could not be compressed as JPEG. "
                     "Try again; if it keeps failing, report a bug."));
      return FALSE;
    }
  mrc->factor = factor;
  mrc->background.width = pixGetWidth (bg);
  mrc->background.height = pixGetHeight (bg);
  mrc->background.bits_per_component = 8;
  mrc->background.color_space = pixGetDepth (bg) == 32 ? "DeviceRGB" : "DeviceGray";
  mrc->background.filter = "DCTDecode";
  mrc->background.data = g_bytes_new (jpeg, jpeg_len);
  lept_free (jpeg);

  mrc->encode_usec = g_get_monotonic_time () - start;
  return TRUE;
}

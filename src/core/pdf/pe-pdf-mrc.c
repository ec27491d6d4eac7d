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

PIX *
_pe_pdf_mrc_find_text (PIX *pix)
{
  g_autoptr(PIX) grey = NULL;
  g_autoptr(PIX) norm = NULL;
  g_autoptr(PIX) bw = NULL;
  l_int32 thresh = 0;

  g_return_val_if_fail (pixGetDepth (pix) == 8 || pixGetDepth (pix) == 32, NULL);

  /* Luminance, not the darkest channel: a yellow highlighter is light and stays background,
   * while blue and red inks are dark enough to count as text. */
  grey = pixGetDepth (pix) == 32 ? pixConvertRGBToLuminance (pix) : pixClone (pix);

  /* Paper tone, shading and grey recycled paper become white, so one threshold fits the
   * whole page. Leptonica refuses pages smaller than its tiles; those are taken as they are. */
  norm = pixBackgroundNorm (grey, NULL, NULL, 10, 15, 100, 50, 255, 2, 2);
  if (norm == NULL)
    norm = pixClone (grey);

  /* Otsu between ink and paper, bounded: on an empty page it would otherwise split the paper's
   * noise into "text", and on a page of faint print it must not reach into the paper. */
  if (pixSplitDistributionFgBg (norm, 0.1, 2, &thresh, NULL, NULL, NULL) != 0)
    thresh = 160;
  thresh = CLAMP (thresh, 100, 200);
  bw = pixThresholdToBinary (norm, thresh);
  if (bw == NULL)
    return NULL;

  /* Specks of at most 2 × 2 pixels are dust, not letters (even an i's dot is larger at
   * 200 dpi); each would cost G4 codes. They stay in the background. */
  return pixSelectBySize (bw, 3, 3, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
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
static void
merge_edge_inks (Ink   *inks,
                 guint  n_inks)
{
  PIX *grown[PE_PDF_MRC_MAX_LAYERS] = { NULL };
  gboolean seen[PE_PDF_MRC_MAX_LAYERS] = { FALSE };

  for (guint i = 0; i < n_inks; i++)
    grown[i] = pixDilateBrick (NULL, inks[i].pix, 3, 3);

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

      for (guint i = 0; i < n_inks; i++)
        {
          g_autoptr(PIX) touch = NULL;
          l_int32 n = 0;

          if (i == a || inks[i].pix == NULL || inks[i].n_pixels <= inks[a].n_pixels)
            continue;
          touch = pixAnd (NULL, inks[a].pix, grown[i]);
          pixCountPixels (touch, &n, NULL);
          if ((double) n / MAX (inks[a].n_pixels, 1) > best)
            {
              best = (double) n / MAX (inks[a].n_pixels, 1);
              b = i;
            }
        }
      if (best < EDGE_FRACTION)
        continue;

      pixOr (inks[b].pix, inks[b].pix, inks[a].pix);
      pixOr (grown[b], grown[b], grown[a]);
      for (guint l = 0; l < 256; l++)
        {
          inks[b].lum_count[l] += inks[a].lum_count[l];
          for (guint c = 0; c < 3; c++)
            inks[b].lum_sum[l][c] += inks[a].lum_sum[l][c];
        }
      inks[b].n_pixels += inks[a].n_pixels;
      pixDestroy (&inks[a].pix);
    }

  for (guint i = 0; i < n_inks; i++)
    pixDestroy (&grown[i]);
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
          if (mline[wx] == 0)
            continue;
          for (guint x = wx * 32; x < MIN (w, wx * 32 + 32); x++)
            {
              guint r, g, b;

              if (!GET_DATA_BIT (mline, x))
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
  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl, *mline = mdata + (gsize) y * mwpl;

      for (guint wx = 0; wx < (w + 31) / 32; wx++)
        {
          if (mline[wx] == 0)
            continue;
          for (guint x = wx * 32; x < MIN (w, wx * 32 + 32); x++)
            {
              guint r, g, b, k = 0, l;
              Ink *ink;

              if (!GET_DATA_BIT (mline, x))
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
            }
        }
    }

  merge_edge_inks (inks, n_inks);
  return n_inks;
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
  g_autofree guint32 *sum = g_new0 (guint32, n * nc);
  g_autofree guint16 *count = g_new0 (guint16, n);
  g_autofree guint8 *value = g_new0 (guint8, n * nc);
  g_autofree guint16 *gen = g_new0 (guint16, n);    /* pass that filled the block; 0 = hole */
  g_autoptr(GArray) holes = g_array_new (FALSE, FALSE, sizeof (guint32));
  PIX *bg;

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl, *eline = edata + (gsize) y * ewpl;
      gsize row = (gsize) (y / factor) * bw;

      for (guint x = 0; x < w; x++)
        {
          gsize i;

          if (GET_DATA_BIT (eline, x))
            continue;
          i = row + x / factor;
          count[i]++;
          if (rgb)
            {
              l_uint32 p = line[x];

              sum[3 * i] += (p >> L_RED_SHIFT) & 0xff;
              sum[3 * i + 1] += (p >> L_GREEN_SHIFT) & 0xff;
              sum[3 * i + 2] += (p >> L_BLUE_SHIFT) & 0xff;
            }
          else
            {
              sum[i] += GET_DATA_BYTE (line, x);
            }
        }
    }

  for (gsize i = 0; i < n; i++)
    {
      if (count[i] == 0)
        {
          guint32 hole = i;

          g_array_append_val (holes, hole);
          continue;
        }
      gen[i] = 1;
      for (guint c = 0; c < nc; c++)
        value[nc * i + c] = (sum[nc * i + c] + count[i] / 2) / count[i];
    }

  /* Each pass fills the holes that touch a block filled before this pass, with the mean of
   * those neighbours, so the paper flows in evenly from all sides. */
  for (guint16 pass = 2; holes->len > 0; pass++)
    {
      guint kept = 0;

      for (guint k = 0; k < holes->len; k++)
        {
          guint32 i = g_array_index (holes, guint32, k);
          guint x = i % bw, y = i / bw;
          guint acc[3] = { 0 }, m = 0;

          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              {
                int nx = (int) x + dx, ny = (int) y + dy;
                gsize j;

                if (nx < 0 || ny < 0 || nx >= (int) bw || ny >= (int) bh)
                  continue;
                j = (gsize) ny * bw + nx;
                if (gen[j] == 0 || gen[j] == pass)
                  continue;
                for (guint c = 0; c < nc; c++)
                  acc[c] += value[nc * j + c];
                m++;
              }
          if (m == 0)
            {
              g_array_index (holes, guint32, kept++) = i;
              continue;
            }
          for (guint c = 0; c < nc; c++)
            value[nc * i + c] = (acc[c] + m / 2) / m;
          gen[i] = pass;
        }

      if (kept == holes->len || pass == G_MAXUINT16)
        {
          /* nothing but text on the whole page: white paper */
          for (guint k = 0; k < kept; k++)
            memset (value + nc * g_array_index (holes, guint32, k), 0xff, nc);
          break;
        }
      g_array_set_size (holes, kept);
    }

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
      /* 1 (text) is coded black, which the decoder turns into 0: where a stencil paints. */
      layer->mask.decode_parms = g_strdup_printf ("<< /K -1 /Columns %u /Rows %u >>",
                                                  layer->mask.width, layer->mask.height);
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

/* pe-separator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <zbar.h>

#include "pe-separator.h"
#include "pe-error.h"

#define MM_PER_INCH 25.4
/* A4 width in inches: the resolution of a page that has none recorded. */
#define A4_WIDTH_IN (210.0 / MM_PER_INCH)

static void
pe_symbol_free (PeSymbol *symbol)
{
  g_free (symbol->type);
  g_free (symbol->text);
  g_free (symbol);
}

void
pe_separator_params_init_default (PeSeparatorParams *params)
{
  static const char *const defaults[] = { "PATCHT", NULL };

  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->texts = g_strdupv ((char **) defaults);
  params->reduction = 0;
  params->patch_codes = TRUE;
  params->min_contrast = 64;
}

void
pe_separator_params_clear (PeSeparatorParams *params)
{
  g_return_if_fail (params != NULL);

  g_clear_pointer (&params->texts, g_strfreev);
}

gboolean
pe_separator_params_set_texts (PeSeparatorParams  *params,
                               const char         *texts,
                               GError            **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  guint n = 0;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (texts == NULL)
    return TRUE;

  builder = g_strv_builder_new ();
  items = g_strsplit (texts, ";", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      /* Only the ends are trimmed: "PATCH T" (the patch code) differs from "PATCHT". */
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;
      for (const char *c = item; *c != '\0'; c++)
        if (g_ascii_iscntrl (*c))
          {
            g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                         _("The separator text “%s” contains a control character. Write each "
                           "separator text as plain text, several separated by “;”."), item);
            return FALSE;
          }
      if (!g_utf8_validate (item, -1, NULL))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("A separator text is not valid UTF-8. Save the profile file as "
                         "UTF-8."));
          return FALSE;
        }
      g_strv_builder_add (builder, item);
      n++;
    }
  if (n == 0)
    return TRUE;

  g_strfreev (params->texts);
  params->texts = g_strv_builder_end (builder);
  return TRUE;
}

void
pe_separator_init (PeSeparator *out)
{
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  out->symbols = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_symbol_free);
}

void
pe_separator_clear (PeSeparator *out)
{
  g_return_if_fail (out != NULL);

  g_clear_pointer (&out->symbols, g_ptr_array_unref);
  out->is_separator = FALSE;
}

static guint
choose_reduction (guint  requested,
                  double dpi)
{
  guint reduction = 1;

  if (requested == 1 || requested == 2 || requested == 4 || requested == 8)
    return requested;
  /* zbar's time grows with the pixels it scans (20 ms for a page at 150 dpi, 8 ms at 75 dpi,
   * whatever is on it), so the page is read at the lowest resolution of at least 75 dpi:
   * Code 128 still reads from 0.34 mm modules there, QR codes from 0.9 mm modules (a QR
   * code of 21 modules 19 mm wide), and averaging takes out scanner noise that makes zbar
   * miss codes at full resolution; bench/separate/README.md has the table. */
  while (reduction < 8 && dpi / (reduction * 2) >= 75)
    reduction *= 2;
  return reduction;
}

/* 8 bpp grey at 1/@reduction of the page's size. Reduced before the colour is dropped, so a
 * colour page costs a quarter of a full-size conversion (2× area mapping is the fastest
 * averaging reduction Leptonica has: 7 ms for a colour page at 300 dpi, 2.5 ms for grey). */
static PIX *
reduced_grey (PIX   *page,
              guint  reduction)
{
  g_autoptr(PIX) pix = NULL;
  gint depth;

  if (pixGetColormap (page) != NULL)
    pix = pixRemoveColormap (page, REMOVE_CMAP_BASED_ON_SRC);
  else
    pix = pixClone (page);
  if (pix == NULL)
    return NULL;

  depth = pixGetDepth (pix);
  if (depth == 1)
    {
      /* Ink is 1 in a bitonal page; the scale-to-grey reductions average it. */
      if (reduction == 2)
        return pixScaleToGray2 (pix);
      if (reduction == 4)
        return pixScaleToGray4 (pix);
      if (reduction == 8)
        return pixScaleToGray8 (pix);
      return pixConvert1To8 (NULL, pix, 255, 0);
    }
  if (depth != 8 && depth != 32)
    {
      PIX *grey = pixConvertTo8 (pix, FALSE);

      pixDestroy (&pix);
      pix = grey;
      if (pix == NULL)
        return NULL;
    }
  for (guint r = reduction; r > 1; r /= 2)
    {
      PIX *half = pixScaleAreaMap2 (pix);

      pixDestroy (&pix);
      pix = half;
      if (pix == NULL)
        return NULL;
    }
  if (pixGetDepth (pix) == 32)
    return pixConvertRGBToLuminance (pix);
  return g_steal_pointer (&pix);
}

/* The grey image as zbar's Y800: one byte a pixel, rows without padding. Leptonica keeps the
 * bytes of each 32-bit word in big-endian order, hence the swap. */
static guint8 *
to_y800 (PIX *grey)
{
  guint w = pixGetWidth (grey);
  guint h = pixGetHeight (grey);
  guint wpl = pixGetWpl (grey);
  const l_uint32 *data = pixGetData (grey);
  guint8 *out = g_malloc ((gsize) w * h + 4);

  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;
      guint8 *dst = out + (gsize) y * w;
      guint x = 0;

      for (; x + 4 <= w; x += 4)
        {
          guint32 v = GUINT32_TO_BE (line[x / 4]);

          memcpy (dst + x, &v, 4);
        }
      for (; x < w; x++)
        dst[x] = GET_DATA_BYTE (line, x);
    }
  return out;
}

static void
free_y800 (zbar_image_t *image)
{
  g_free ((gpointer) zbar_image_get_data (image));
}

static gboolean
text_matches (const PeSeparatorParams *params,
              const char              *text)
{
  return params->texts != NULL && g_strv_contains ((const char *const *) params->texts, text);
}

static void
add_symbol (PeSeparator             *out,
            const PeSeparatorParams *params,
            const char              *type,
            const char              *text,
            gboolean                 matches,
            guint                    contrast,
            gint                     x0,
            gint                     y0,
            gint                     x1,
            gint                     y1)
{
  PeSymbol *symbol = g_new0 (PeSymbol, 1);

  symbol->type = g_strdup (type);
  symbol->text = g_utf8_make_valid (text, -1);
  symbol->contrast = contrast;
  symbol->matches = (matches || text_matches (params, symbol->text))
                    && contrast >= params->min_contrast;
  symbol->x = MAX (x0, 0);
  symbol->y = MAX (y0, 0);
  symbol->width = MAX (x1 - (gint) symbol->x, 0);
  symbol->height = MAX (y1 - (gint) symbol->y, 0);
  out->is_separator |= symbol->matches;
  g_ptr_array_add (out->symbols, symbol);
}

/* Grey levels between the dark quarter and the light tenth of the box on @grey: a code
 * covers about half its box with ink. */
static guint
box_contrast (PIX  *grey,
              gint  x0,
              gint  y0,
              gint  x1,
              gint  y1)
{
  BOX *box = boxCreate (x0, y0, MAX (x1 - x0, 1), MAX (y1 - y0, 1));
  g_autoptr(PIX) clip = pixClipRectangle (grey, box, NULL);
  l_uint32 dark = 0, light = 0;

  boxDestroy (&box);
  if (clip == NULL
      || pixGetRankValue (clip, 1, 0.25, &dark) != 0
      || pixGetRankValue (clip, 1, 0.90, &light) != 0)
    return 255;
  return light > dark ? light - dark : 0;
}

static gboolean
scan_zbar (PIX                     *grey,
           guint                    reduction,
           const PeSeparatorParams *params,
           PeSeparator             *out,
           GError                 **error)
{
  static const zbar_symbol_type_t enabled[] = {
    ZBAR_QRCODE, ZBAR_CODE128, ZBAR_CODE39, ZBAR_CODE93, ZBAR_I25,
  };
  zbar_image_scanner_t *scanner;
  zbar_image_t *image;
  guint w = pixGetWidth (grey);
  guint h = pixGetHeight (grey);
  int n;

  /* A scanner per call: creating one costs microseconds next to the scan, and it keeps
   * threads apart without any locking. */
  scanner = zbar_image_scanner_create ();
  /* EAN/UPC, DataBar, Codabar and SQ codes are not used on separator sheets; leaving them
   * off saves time and the short false EAN reads text and noise can give. */
  zbar_image_scanner_set_config (scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  for (guint i = 0; i < G_N_ELEMENTS (enabled); i++)
    zbar_image_scanner_set_config (scanner, enabled[i], ZBAR_CFG_ENABLE, 1);

  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, w, h);
  zbar_image_set_data (image, to_y800 (grey), (unsigned long) w * h, free_y800);

  n = zbar_scan_image (scanner, image);
  if (n < 0)
    {
      zbar_image_destroy (image);
      zbar_image_scanner_destroy (scanner);
      g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
                   _("The barcode reader failed on this page. Check that libzbar is "
                     "installed correctly."));
      return FALSE;
    }

  for (const zbar_symbol_t *s = zbar_image_first_symbol (image); s != NULL;
       s = zbar_symbol_next (s))
    {
      g_autofree char *text = NULL;
      gint x0 = G_MAXINT, y0 = G_MAXINT, x1 = 0, y1 = 0;
      guint n_loc = zbar_symbol_get_loc_size (s);

      text = g_strndup (zbar_symbol_get_data (s), zbar_symbol_get_data_length (s));
      for (guint i = 0; i < n_loc; i++)
        {
          gint px = zbar_symbol_get_loc_x (s, i);
          gint py = zbar_symbol_get_loc_y (s, i);

          x0 = MIN (x0, px);
          y0 = MIN (y0, py);
          x1 = MAX (x1, px + 1);
          y1 = MAX (y1, py + 1);
        }
      if (n_loc == 0)
        x0 = y0 = 0;
      add_symbol (out, params, zbar_get_symbol_name (zbar_symbol_get_type (s)), text, FALSE,
                  box_contrast (grey, x0, y0, x1, y1), x0 * (gint) reduction, y0 * (gint) reduction,
                  x1 * (gint) reduction, y1 * (gint) reduction);
    }

  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);
  return TRUE;
}

/* --- Kodak patch codes --------------------------------------------------------------------
 *
 * Scan centres separate documents with Kodak patch sheets (Patch T above all); the scanner
 * reads them in hardware and most drivers never pass that on, and zbar has no reader for
 * them. A patch is four parallel bars, two wide (5.08 mm) and two narrow (2.03 mm), with
 * narrow spaces (2.03 mm) between them, at least 19 mm long; the order of wide and narrow
 * names the patch (Kodak A-61599). Such bars are unlike anything in a letter (table rules
 * and strokes are under 1 mm, bold type is not 19 mm wide), so a reader that checks the
 * widths along lines across the bars and asks for the same pattern over 15 mm of bar length
 * is enough. It is small, costs about a millisecond a page, and is tested in
 * tests/separate/test-separator.c.
 *
 * The four bars cannot tell which way up the sheet is: read backwards, Patch T is Patch 3
 * (and 1 is 6). A symbol's text is the reading from top to bottom (horizontal bars) or from
 * left to right (vertical bars); it is a separator when that reading or the reverse one is
 * a separator text, so a patch sheet fed the wrong way round still separates. */

#define PATCH_NARROW_MM 2.03
#define PATCH_WIDE_MM   5.08
#define PATCH_MIN_LENGTH_MM 15.0
#define PATCH_QUIET_MM 1.5
/* Runs shorter than this are speckle or toner gaps and are merged into their neighbours. */
#define PATCH_NOISE_MM 0.45
#define PATCH_DARK 128

typedef struct
{
  guint pos;    /* the column (or row) the line runs along */
  guint start;  /* first and last pixel of the bars along the line */
  guint end;
  char  code;
} PatchHit;

typedef struct
{
  gboolean dark;
  guint    start;
  guint    len;
} Run;

static char
patch_code_of (const gboolean wide[4])
{
  guint bits = (wide[0] << 3) | (wide[1] << 2) | (wide[2] << 1) | wide[3];

  switch (bits)
    {
    case 0xc: return '1';  /* W W N N */
    case 0x9: return '2';  /* W N N W */
    case 0xa: return '3';  /* W N W N */
    case 0x6: return '4';  /* N W W N */
    case 0x5: return 'T';  /* N W N W */
    case 0x3: return '6';  /* N N W W */
    default: return 0;
    }
}

static char
patch_code_reversed (char code)
{
  switch (code)
    {
    case '1': return '6';
    case '6': return '1';
    case '3': return 'T';
    case 'T': return '3';
    default: return code;
    }
}

/* Looks for a patch along one line of grey values; fills @hit and returns TRUE on the first. */
static gboolean
patch_in_line (const guint8 *line,
               guint         n,
               double        px_per_mm,
               GArray       *runs,
               PatchHit     *hit)
{
  guint noise = MAX (1, (guint) (PATCH_NOISE_MM * px_per_mm));
  Run *r;

  g_array_set_size (runs, 0);
  for (guint i = 0; i < n; i++)
    {
      gboolean dark = line[i] < PATCH_DARK;

      if (runs->len > 0 && g_array_index (runs, Run, runs->len - 1).dark == dark)
        g_array_index (runs, Run, runs->len - 1).len++;
      else
        {
          Run run = { dark, i, 1 };

          /* A run too short to count joins the one before it, and the next run of that
           * colour continues it. */
          if (runs->len >= 2 && g_array_index (runs, Run, runs->len - 1).len < noise)
            {
              g_array_set_size (runs, runs->len - 1);
              g_array_index (runs, Run, runs->len - 1).len = i + 1
                - g_array_index (runs, Run, runs->len - 1).start;
              continue;
            }
          g_array_append_val (runs, run);
        }
    }

  r = (Run *) runs->data;
  for (guint i = 1; i + 8 <= runs->len; i++)
    {
      gboolean wide[4];
      gboolean ok = r[i].dark;

      if (!ok || r[i - 1].len < PATCH_QUIET_MM * px_per_mm
          || r[i + 7].len < PATCH_QUIET_MM * px_per_mm)
        continue;
      for (guint k = 0; k < 7 && ok; k++)
        {
          double mm = r[i + k].len / px_per_mm;
          gboolean is_narrow = mm >= 1.3 && mm <= 2.9;
          gboolean is_wide = mm >= 4.0 && mm <= 6.3;

          if (k % 2 == 1)
            ok = is_narrow;
          else if (is_wide || is_narrow)
            wide[k / 2] = is_wide;
          else
            ok = FALSE;
        }
      if (ok && (hit->code = patch_code_of (wide)) != 0)
        {
          hit->start = r[i].start;
          hit->end = r[i + 6].start + r[i + 6].len - 1;
          return TRUE;
        }
    }
  return FALSE;
}

/* Columns of @grey (sampled every millimetre) crossing horizontal bars; hits chained along
 * neighbouring columns become symbols. @transposed: @grey is the page turned, boxes are
 * mapped back. */
static void
scan_patches (PIX                     *grey,
              double                   px_per_mm,
              guint                    reduction,
              gboolean                 transposed,
              const PeSeparatorParams *params,
              PeSeparator             *out)
{
  guint w = pixGetWidth (grey);
  guint h = pixGetHeight (grey);
  guint wpl = pixGetWpl (grey);
  const l_uint32 *data = pixGetData (grey);
  guint step = MAX (1, (guint) px_per_mm);
  guint max_shift = (guint) (1.5 * px_per_mm) + 1;
  g_autofree guint8 *column = g_malloc (h);
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (PatchHit));

  for (guint x = step / 2; x < w; x += step)
    {
      PatchHit hit = { x, 0, 0, 0 };

      for (guint y = 0; y < h; y++)
        column[y] = GET_DATA_BYTE (data + (gsize) y * wpl, x);
      if (patch_in_line (column, h, px_per_mm, runs, &hit))
        g_array_append_val (hits, hit);
    }

  /* Chains of hits in consecutive columns with the same code and nearly the same start. */
  for (guint i = 0; i < hits->len;)
    {
      PatchHit *first = &g_array_index (hits, PatchHit, i);
      guint top = first->start, bottom = first->end;
      guint j = i + 1;

      while (j < hits->len)
        {
          PatchHit *prev = &g_array_index (hits, PatchHit, j - 1);
          PatchHit *next = &g_array_index (hits, PatchHit, j);

          if (next->pos != prev->pos + step || next->code != first->code
              || (guint) ABS ((gint) next->start - (gint) prev->start) > max_shift)
            break;
          top = MIN (top, next->start);
          bottom = MAX (bottom, next->end);
          j++;
        }
      if ((g_array_index (hits, PatchHit, j - 1).pos - first->pos + step) / px_per_mm
          >= PATCH_MIN_LENGTH_MM)
        {
          g_autofree char *text = g_strdup_printf ("PATCH %c", first->code);
          g_autofree char *reverse = g_strdup_printf ("PATCH %c",
                                                      patch_code_reversed (first->code));
          gint x0 = first->pos - step / 2, x1 = g_array_index (hits, PatchHit, j - 1).pos
                                                + step / 2 + 1;
          gint y0 = top, y1 = bottom + 1;
          gboolean matches = text_matches (params, reverse);

          if (transposed)
            {
              /* @grey is the page turned 90° clockwise: its (x, y) is the page's
               * (y, h_page - 1 - x), h_page being @grey's width. */
              gint px0 = y0, px1 = y1, py0 = (gint) w - x1, py1 = (gint) w - x0;

              add_symbol (out, params, "PATCH", text, matches, 255,
                          px0 * (gint) reduction, py0 * (gint) reduction,
                          px1 * (gint) reduction, py1 * (gint) reduction);
            }
          else
            add_symbol (out, params, "PATCH", text, matches, 255,
                        x0 * (gint) reduction, y0 * (gint) reduction,
                        x1 * (gint) reduction, y1 * (gint) reduction);
        }
      i = j;
    }
}

gboolean
pe_separator_detect (PIX                      *page,
                     const PeSeparatorParams  *params,
                     PeSeparator              *out,
                     GError                  **error)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(PIX) grey = NULL;
  double dpi;
  guint reduction;

  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out->symbols == NULL)
    out->symbols = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_symbol_free);
  g_ptr_array_set_size (out->symbols, 0);
  out->is_separator = FALSE;
  out->ms = 0;

  dpi = pixGetXRes (page);
  if (dpi <= 0)
    dpi = pixGetWidth (page) / A4_WIDTH_IN;
  reduction = choose_reduction (params->reduction, dpi);
  out->reduction = reduction;

  grey = reduced_grey (page, reduction);
  if (grey == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("This page image cannot be converted to grey for the barcode reader. "
                     "Scan or import the page again."));
      return FALSE;
    }

  if (!scan_zbar (grey, reduction, params, out, error))
    return FALSE;

  if (params->patch_codes)
    {
      double px_per_mm = dpi / reduction / MM_PER_INCH;
      g_autoptr(PIX) turned = pixRotate90 (grey, 1);

      scan_patches (grey, px_per_mm, reduction, FALSE, params, out);
      if (turned != NULL)
        scan_patches (turned, px_per_mm, reduction, TRUE, params, out);
    }

  out->ms = (g_get_monotonic_time () - start) / 1000.0;
  return TRUE;
}

JsonNode *
pe_separator_to_json (const PeSeparator *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (out != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "separator");
  json_builder_add_boolean_value (b, out->is_separator);
  json_builder_set_member_name (b, "symbols");
  json_builder_begin_array (b);
  for (guint i = 0; out->symbols != NULL && i < out->symbols->len; i++)
    {
      const PeSymbol *s = g_ptr_array_index (out->symbols, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, s->type);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, s->text);
      json_builder_set_member_name (b, "separator");
      json_builder_add_boolean_value (b, s->matches);
      json_builder_set_member_name (b, "contrast");
      json_builder_add_int_value (b, s->contrast);
      json_builder_set_member_name (b, "box");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, s->x);
      json_builder_add_int_value (b, s->y);
      json_builder_add_int_value (b, s->width);
      json_builder_add_int_value (b, s->height);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ms");
  json_builder_add_double_value (b, out->ms);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

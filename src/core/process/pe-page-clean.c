/* pe-page-clean.c: the cleanup of one page, step by step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "pe-error.h"
#include "pe-clean-private.h"

void
pe_clean_params_init_default (PeCleanParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (PeCleanParams) {
    .deskew = TRUE,
    .max_skew_deg = 5.0,
    .min_skew_deg = 0.05,
    .orientation = TRUE,
    .crop_borders = TRUE,
    .max_border_mm = 25.0,
    .remove_punch_holes = TRUE,
    .despeckle = TRUE,
    .despeckle_max_mm = 0.2,
    .normalize_background = TRUE,
    .color = PE_COLOR_AUTO,
    .color_min_fraction = 0.0001,
    .blank_ink_ratio = 0.0003,
    .binarize = PE_BINARIZE_OTSU,
  };
}

void
pe_clean_report_init (PeCleanReport *report)
{
  g_return_if_fail (report != NULL);

  *report = (PeCleanReport) { 0 };
  report->chosen = PE_COLOR_BITONAL;
  report->steps = g_ptr_array_new_with_free_func (g_free);
}

void
pe_clean_report_clear (PeCleanReport *report)
{
  g_return_if_fail (report != NULL);

  g_clear_pointer (&report->steps, g_ptr_array_unref);
  *report = (PeCleanReport) { 0 };
}

const char *
pe_color_policy_to_string (PeColorPolicy policy)
{
  switch (policy)
    {
    case PE_COLOR_AUTO:
      return "auto";
    case PE_COLOR_BITONAL:
      return "bitonal";
    case PE_COLOR_GREY:
      return "grey";
    case PE_COLOR_COLOR:
      return "colour";
    default:
      return "unknown";
    }
}

/* The protocol entries are fixed English keys with numbers in the C locale: they go into the
 * audit record, which must read the same whatever the clerk's language. */
static void G_GNUC_PRINTF (2, 3)
add_step (PeCleanReport *report,
          const char    *format,
          ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (report->steps, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
format_double (double value,
               int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

PIX *
pe_page_clean (PIX                  *page,
               const PeCleanParams  *params,
               PeCleanReport        *report,
               GError              **error)
{
  return pe_page_clean_with_grey (page, params, report, NULL, error);
}

PIX *
pe_page_clean_with_grey (PIX                  *page,
                         const PeCleanParams  *params,
                         PeCleanReport        *report,
                         PIX                 **ocr_grey,
                         GError              **error)
{
  g_auto(PeCleanAnalysis) a = { 0 };
  g_autoptr(PIX) src = NULL;
  g_autoptr(PIX) straight = NULL;
  g_autoptr(PIX) bitonal = NULL;
  g_autoptr(PIX) flat = NULL;     /* bitonal before straightening */
  g_autoptr(PIX) specks = NULL;   /* what despeckle removed, full size */
  g_autoptr(PIX) out = NULL;
  PeCleanReport local_report;
  PeCleanParams defaults;
  gint64 start = g_get_monotonic_time ();
  int dpi, depth;
  double skew = 0, skew_conf = 0, orient_conf = 0, ink, color_fraction = 0;
  guint rotation = 0;
  gboolean blank, landscape = FALSE;
  PeColorPolicy chosen;

  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (ocr_grey != NULL)
    *ocr_grey = NULL;
  if (params == NULL)
    {
      pe_clean_params_init_default (&defaults);
      params = &defaults;
    }
  if (report == NULL)
    {
      pe_clean_report_init (&local_report);
      report = &local_report;
    }
  else if (report->steps == NULL)
    {
      pe_clean_report_init (report);
    }
  else
    {
      /* A report used again starts from scratch, keeping its array. */
      GPtrArray *steps = report->steps;

      *report = (PeCleanReport) { 0 };
      report->chosen = PE_COLOR_BITONAL;
      report->steps = steps;
      g_ptr_array_set_size (steps, 0);
    }

  if (pixGetWidth (page) < 64 || pixGetHeight (page) < 64)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The page image is only %d × %d pixels. Scan it again at 150 dpi or more."),
                   pixGetWidth (page), pixGetHeight (page));
      goto fail;
    }

  dpi = _pe_clean_get_dpi (page);
  if (pixGetXRes (page) <= 0)
    add_step (report, "resolution assumed %d dpi", dpi);

  /* The original stays untouched for the quality check: src is only read (a reference, as
   * copying a colour page costs 20 ms), or a converted copy of our own. */
  if (pixGetColormap (page) != NULL)
    src = pixRemoveColormap (page, REMOVE_CMAP_BASED_ON_SRC);
  else if (pixGetDepth (page) == 1 || pixGetDepth (page) == 8 || pixGetDepth (page) == 32)
    src = pixClone (page);
  else
    src = pixConvertTo8 (page, FALSE);
  if (src == NULL)
    goto oom;
  if (src != page)
    pixSetResolution (src, dpi, dpi);
  depth = pixGetDepth (src);

  /* Borders, holes and normalisation, and the reduced binary image every decision below is
   * measured on. */
  if (!_pe_clean_analyse (src, params->crop_borders, params->max_border_mm,
                          params->remove_punch_holes, params->normalize_background, &a))
    goto oom;
  report->n_border_edges = a.n_edges;
  report->n_punch_holes = a.n_holes;
  if (a.n_edges > 0)
    add_step (report, "borders %u edge%s", a.n_edges, a.n_edges == 1 ? "" : "s");
  if (a.n_holes > 0)
    add_step (report, "punch holes %u", a.n_holes);
  if (params->normalize_background && depth != 1)
    add_step (report, "background normalised");

  ink = _pe_clean_ink_ratio_bin (a.bin, a.adpi);
  blank = ink < params->blank_ink_ratio;
  report->ink_ratio = ink;
  report->blank = blank;
  if (blank)
    {
      g_autofree char *percent = format_double (ink * 100, 4);
      add_step (report, "blank (ink %s %%)", percent);
    }

  /* A blank page has no text to straighten or turn upright. */
  if (!blank && (params->deskew || params->orientation))
    {
      skew = _pe_clean_find_skew_bin (a.bin, params->max_skew_deg, &skew_conf);
      if (params->orientation)
        {
          gint64 t = g_get_monotonic_time ();

          landscape = _pe_clean_is_landscape (a.bin, params->max_skew_deg, &skew, &skew_conf);
          report->orientation_ms += _pe_clean_elapsed_ms (t);
        }
      if (skew != 0 && skew_conf < PE_CLEAN_SPARSE_SKEW_CONFIDENCE)
        {
          g_autoptr(PIX) lines = landscape ? pixRotateOrth (a.norm, 1) : pixClone (a.norm);

          if (lines != NULL)
            skew = _pe_clean_refine_skew (lines, skew);
        }
    }
  report->skew_confidence = skew_conf;

  if (depth == 32)
    color_fraction = a.color_fraction;
  report->color_fraction = color_fraction;
  /* A blank page keeps nothing worth colour; bitonal is the smallest way to keep it. */
  chosen = blank && params->color == PE_COLOR_AUTO
           ? PE_COLOR_BITONAL
           : _pe_clean_decide_color (params->color, depth, color_fraction,
                                     params->color_min_fraction, a.norm);
  report->chosen = chosen;

  if (!params->deskew || fabs (skew) < params->min_skew_deg)
    skew = 0;
  report->skew_deg = skew;

  /* a.norm is the page in grey, normalised, with borders and holes erased. Thresholded and
   * despeckled it is the bitonal page; the specks found are erased from the grey and colour
   * pages as well. */
  flat = pe_clean_binarize (a.norm, chosen == PE_COLOR_BITONAL ? params->binarize
                                                               : PE_BINARIZE_OTSU);
  if (flat == NULL)
    goto oom;
  if (chosen == PE_COLOR_BITONAL && depth != 1)
    add_step (report, "binarise %s",
              params->binarize == PE_BINARIZE_SAUVOLA ? "sauvola" : "otsu");
  if (params->despeckle)
    {
      guint removed = 0;
      PIX *clean = pe_clean_despeckle (flat, params->despeckle_max_mm, &removed);

      if (clean == NULL)
        goto oom;
      if (removed > 0 && (chosen != PE_COLOR_BITONAL || ocr_grey != NULL))
        {
          specks = pixXor (NULL, flat, clean);
          _pe_clean_paint_specks (a.norm, specks);
        }
      pixDestroy (&flat);
      flat = clean;
      if (removed > 0)
        add_step (report, "despeckle %u px", removed);
    }

  /* Then straightened: for bitonal the 1 bpp page (thresholding commutes with shear rotation,
   * and shearing 1 bpp costs 1 ms where rotating grey costs 30) … */
  if (chosen == PE_COLOR_BITONAL)
    {
      bitonal = _pe_clean_rotate (flat, skew, 0);
      if (bitonal == NULL)
        goto oom;
    }
  else if (chosen == PE_COLOR_COLOR)
    {
      /* … for colour normalised, erased and straightened in one pass over the page … */
      g_autofree char *percent = format_double (color_fraction * 100, 2);

      straight = _pe_clean_rotate_color (src, &a, params->normalize_background, TRUE, specks,
                                         skew);
      if (straight == NULL)
        goto oom;
      add_step (report, "colour kept (%s %% coloured)", percent);
    }
  else
    {
      /* … and grey (photos) as it is. */
      straight = _pe_clean_rotate (a.norm, skew, 0);
      if (straight == NULL)
        goto oom;
      add_step (report, "grey kept");
    }
  if (skew != 0)
    {
      g_autofree char *deg = format_double (skew, 2);
      add_step (report, "deskew %s°", deg);
    }

  /* … and turned upright, judged on the straightened full-resolution ink (Leptonica's
   * ascender/descender test needs 150–300 dpi; at ~150 dpi it gives up on sparse pages). */
  if (!blank && params->orientation && skew_conf >= PE_CLEAN_MIN_SKEW_CONFIDENCE)
    {
      gint64 t = g_get_monotonic_time ();
      g_autoptr(PIX) text = _pe_clean_text_only (flat, a.bin, a.factor);
      g_autoptr(PIX) ink_full = text != NULL ? _pe_clean_rotate (text, skew, 0) : NULL;

      if (ink_full == NULL)
        goto oom;
      rotation = _pe_clean_updown (ink_full, landscape, &orient_conf);
      report->orientation_ms += _pe_clean_elapsed_ms (t);
    }
  report->rotation = rotation;
  report->orientation_confidence = orient_conf;
  if (rotation != 0)
    add_step (report, "rotate %u°", rotation);

  {
    PIX *result = bitonal != NULL ? bitonal : straight;

    out = rotation != 0 ? pixRotateOrth (result, rotation / 90) : pixClone (result);
  }
  if (out == NULL)
    goto oom;
  pixSetResolution (out, dpi, dpi);

  if (ocr_grey != NULL)
    {
      g_autoptr(PIX) grey = chosen == PE_COLOR_GREY ? pixClone (straight)
                                                    : _pe_clean_rotate (a.norm, skew, 0);

      *ocr_grey = grey != NULL && rotation != 0 ? pixRotateOrth (grey, rotation / 90)
                                                : g_steal_pointer (&grey);
      if (*ocr_grey == NULL)
        goto oom;
      pixSetResolution (*ocr_grey, dpi, dpi);
    }

  report->ms = _pe_clean_elapsed_ms (start);
  if (report == &local_report)
    pe_clean_report_clear (&local_report);
  return g_steal_pointer (&out);

oom:
  g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
               _("The page could not be cleaned, probably for lack of memory. Close other "
                 "programs or scan at a lower resolution, then try again."));
fail:
  report->ms = _pe_clean_elapsed_ms (start);
  if (report == &local_report)
    pe_clean_report_clear (&local_report);
  return NULL;
}

/* pe-page-clean.c: the cleanup of one page, step by step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pe-error.h"
#include "pe-clean-private.h"

static void
leptonica_message (const char *message)
{
  g_autofree char *line = g_strchomp (g_strdup (message));

  g_log ("Leptonica", G_LOG_LEVEL_DEBUG, "%s", line);
}

void
pe_clean_setup_process (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;

  leptSetStderrHandler (leptonica_message);
#ifdef __GLIBC__
  /* Below the mmap threshold a freed page buffer is reused by the next page instead of being
   * mapped fresh and faulted in (~15 ms for 35 MB); above it, it is mapped and goes back to the
   * system when freed, where on the heap it stayed resident beside the next page's. 16 MB
   * keeps grey pages (8.7 MB at 300 dpi) on the heap and maps colour pages (35 MB): with the
   * cleanup's release of the page as scanned behind its last pass, 999 pages peaked at
   * 226 MB RSS instead of 254 MB, in no more CPU time (bench/README.md). One arena for all
   * threads: with one per thread each kept its own high-water mark; 115-page pipeline run
   * 305 → 256 MB peak RSS and ~5 % less CPU (fewer page faults, in Tesseract's threads too). */
  mallopt (M_MMAP_THRESHOLD, 16 * 1024 * 1024);
  mallopt (M_ARENA_MAX, 1);
#endif
  g_once_init_leave (&done, 1);
}

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

/* Turns *@pix clockwise by @rotation (90, 180 or 270): upside down in place, a quarter turn
 * into a new page with the old one freed at once (a colour page is 35 MB at 300 dpi). */
static gboolean
turn (PIX   **pix,
      guint   rotation)
{
  PIX *turned;

  if (rotation == 180)
    return pixRotate180 (*pix, *pix) != NULL;
  turned = pixRotateOrth (*pix, rotation / 90);
  pixDestroy (pix);
  *pix = turned;
  return turned != NULL;
}

PIX *
pe_page_clean_with_grey (PIX                  *page,
                         const PeCleanParams  *params,
                         PeCleanReport        *report,
                         PIX                 **ocr_grey,
                         GError              **error)
{
  g_return_val_if_fail (page != NULL, NULL);

  /* A reference of our own to drop: the caller's keeps the page. */
  return pe_page_clean_take (pixClone (page), params, report, ocr_grey, error);
}

/* The reference to @page is ours, dropped as soon as the last full-size page is rendered from
 * it. */
PIX *
pe_page_clean_take (PIX                  *page,
                    const PeCleanParams  *params,
                    PeCleanReport        *report,
                    PIX                 **ocr_grey,
                    GError              **error)
{
  g_auto(PeCleanAnalysis) a = { 0 };
  g_autoptr(PIX) src = NULL;
  g_autoptr(PIX) colour = NULL;   /* straight, normalised, erased colour page */
  g_autoptr(PIX) grey = NULL;     /* straight, normalised, erased grey page */
  g_autoptr(PIX) flat = NULL;     /* its ink: the bitonal page */
  g_autoptr(PIX) specks = NULL;   /* found on the page as scanned, full size */
  g_autoptr(PIX) out = NULL;
  PeCleanReport local_report;
  PeCleanParams defaults;
  gint64 start = g_get_monotonic_time ();
  int dpi, depth;
  double skew = 0, skew_conf = 0, orient_conf = 0, ink, color_fraction = 0;
  guint rotation = 0;
  gboolean blank, landscape = FALSE, sauvola, despeckled = FALSE, consume;
  int threshold;
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
  src = _pe_clean_plain (page);
  if (src == NULL)
    goto oom;
  if (src != page)
    pixSetResolution (src, dpi, dpi);
  depth = pixGetDepth (src);

  /* Borders, holes, the background map and the reduced images every decision below is
   * measured on: one pass over the page, the rest at the analysis resolution. */
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
          /* A sparse page: its ink at full resolution, once more (rare, ~5 % of pages). */
          g_autoptr(PIX) ink_full = NULL;
          g_autoptr(PIX) lines = NULL;

          if (!_pe_clean_render (src, &a, params->normalize_background, TRUE, NULL, 0.0,
                                 PE_CLEAN_INK_THRESHOLD, NULL, NULL, &ink_full, FALSE))
            goto oom;
          lines = landscape ? pixRotateOrth (ink_full, 1) : pixClone (ink_full);
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

  threshold = _pe_clean_page_threshold (&a);
  sauvola = chosen == PE_COLOR_BITONAL && params->binarize == PE_BINARIZE_SAUVOLA && depth != 1;

  /* Specks are found on the ink as scanned, before straightening: the nearest-neighbour
   * rotation below reshapes a 2 × 2 dot into a 3-pixel staircase that is no dot any more, and
   * on the grey page Tesseract reads what is left as punctuation (found after straightening,
   * the grey pages' CER rose from 3.09 % to 3.49 % on the corpus). One more pass over the
   * page, but only for a skewed one: on a straight page the final pass gives that ink. */
  if (params->despeckle && skew != 0 && !sauvola)
    {
      g_autoptr(PIX) ink = NULL;
      g_autoptr(PIX) clean = NULL;
      guint removed = 0;

      if (!_pe_clean_render (src, &a, params->normalize_background, TRUE, NULL, 0.0,
                             threshold, NULL, NULL, &ink, FALSE) ||
          (clean = pe_clean_despeckle (ink, params->despeckle_max_mm, &removed)) == NULL)
        goto oom;
      if (removed > 0)
        {
          specks = pixXor (NULL, ink, clean);
          if (specks == NULL)
            goto oom;
          add_step (report, "despeckle %u px", removed);
        }
      despeckled = TRUE;
    }

  /* The full-size pages, straightened, normalised and erased (borders, holes, specks) in one
   * pass over the page: the colour page if kept, the grey page (kept, for OCR, or for
   * Sauvola) and the ink at Otsu's threshold of the page's sample (thresholding commutes with
   * moving pixels). When no one else holds the page as scanned (src is ours alone, or page's
   * reference is the caller's, handed over), its memory goes back row by row behind that pass:
   * the page as scanned and the colour page are never both whole in memory (peak RSS). */
  consume = pixGetRefcount (src) == (src == page ? 2 : 1);
  if (!_pe_clean_render (src, &a, params->normalize_background, TRUE, specks, skew, threshold,
                         chosen == PE_COLOR_COLOR ? &colour : NULL,
                         chosen == PE_COLOR_GREY || ocr_grey != NULL || sauvola ? &grey : NULL,
                         sauvola ? NULL : &flat, consume))
    goto oom;
  /* Everything from here on works on the rendered pages: an original we own goes now, before
   * the quarter turn below makes a third full-size page (a colour page is 35 MB at 300 dpi). */
  pixDestroy (&src);
  pixDestroy (&page);
  if (sauvola)
    {
      flat = pe_clean_binarize (grey, PE_BINARIZE_SAUVOLA);
      if (flat == NULL)
        goto oom;
    }
  if (chosen == PE_COLOR_BITONAL && depth != 1)
    add_step (report, "binarise %s", sauvola ? "sauvola" : "otsu");

  /* On a straight page (or Sauvola's ink) the ink is despeckled as made; the specks found are
   * erased from the grey and colour pages as well. */
  if (params->despeckle && !despeckled)
    {
      guint removed = 0;
      PIX *clean = pe_clean_despeckle (flat, params->despeckle_max_mm, &removed);

      if (clean == NULL)
        goto oom;
      if (removed > 0 && (grey != NULL || colour != NULL))
        {
          g_autoptr(PIX) found = pixXor (NULL, flat, clean);

          if (found == NULL)
            {
              pixDestroy (&clean);
              goto oom;
            }
          if (grey != NULL)
            _pe_clean_paint_specks (grey, found);
          if (colour != NULL)
            _pe_clean_paint_specks (colour, found);
        }
      pixDestroy (&flat);
      flat = clean;
      if (removed > 0)
        add_step (report, "despeckle %u px", removed);
    }

  if (chosen == PE_COLOR_COLOR)
    {
      g_autofree char *percent = format_double (color_fraction * 100, 2);
      add_step (report, "colour kept (%s %% coloured)", percent);
    }
  else if (chosen == PE_COLOR_GREY)
    {
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
      g_autoptr(PIX) text = _pe_clean_text_only (flat, a.bin, a.factor, skew);

      if (text == NULL)
        goto oom;
      rotation = _pe_clean_updown (text, landscape, &orient_conf);
      report->orientation_ms += _pe_clean_elapsed_ms (t);
    }
  report->rotation = rotation;
  report->orientation_confidence = orient_conf;
  if (rotation != 0)
    add_step (report, "rotate %u°", rotation);

  /* The grey page is the output page too when grey is kept: turned once. */
  if (rotation != 0 && grey != NULL && !turn (&grey, rotation))
    goto oom;
  {
    PIX **result = chosen == PE_COLOR_BITONAL ? &flat
                   : chosen == PE_COLOR_GREY ? &grey : &colour;

    if (*result == NULL ||
        (rotation != 0 && chosen != PE_COLOR_GREY && !turn (result, rotation)))
      goto oom;
    out = pixClone (*result);
  }
  pixSetResolution (out, dpi, dpi);

  if (ocr_grey != NULL)
    {
      if (grey == NULL)
        goto oom;
      pixSetResolution (grey, dpi, dpi);
      *ocr_grey = g_steal_pointer (&grey);
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
  pixDestroy (&page);
  return NULL;
}

/* pe-blank.c: blank page detection (duplex backs, blank separator sheets)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-clean-private.h"

/* Scanner edges, skew corners and hole rims live in the outer margin; no letter prints there. */
#define BLANK_MARGIN_MM 6.0

/* Marks smaller than this in both directions are speckle or dust, not writing: the smallest
 * letters of a footer are larger. */
#define BLANK_MIN_MARK_MM 1.0

/* Above this much raw ink the page has content whatever the speckle; saves the component
 * analysis on every text page. */
#define BLANK_SURE_CONTENT 0.01

double
_pe_clean_ink_ratio_bin (PIX *bin,
                         int  adpi)
{
  g_autoptr(PIX) inner = NULL;
  g_autoptr(PIX) marks = NULL;
  g_autoptr(BOX) box = NULL;
  int w, h, margin, count = 0, min_px;
  double area;

  pixGetDimensions (bin, &w, &h, NULL);
  margin = _pe_mm_to_px (BLANK_MARGIN_MM, adpi);
  if (w <= 4 * margin || h <= 4 * margin)
    margin = 0;

  box = boxCreate (margin, margin, w - 2 * margin, h - 2 * margin);
  inner = pixClipRectangle (bin, box, NULL);
  if (inner == NULL)
    return 0;
  area = (double) pixGetWidth (inner) * pixGetHeight (inner);

  pixCountPixels (inner, &count, NULL);
  if (count / area >= BLANK_SURE_CONTENT)
    return count / area;

  min_px = MAX (2, _pe_mm_to_px (BLANK_MIN_MARK_MM, adpi));
  marks = pixSelectBySize (inner, min_px, min_px, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
  if (marks == NULL)
    return count / area;
  pixCountPixels (marks, &count, NULL);
  return count / area;
}

gboolean
pe_clean_is_blank (PIX    *page,
                   double  max_ink_ratio,
                   double *ink_ratio)
{
  g_auto(PeCleanAnalysis) a = { 0 };
  g_autoptr(PIX) plain = NULL;
  double ratio;

  g_return_val_if_fail (page != NULL, FALSE);

  /* Dark scanner edges and punch holes are not content; discount them as the full cleanup
   * does. */
  plain = _pe_clean_plain (page);
  if (plain == NULL || !_pe_clean_analyse (plain, TRUE, 25.0, TRUE, TRUE, &a))
    {
      /* Err on the side of content: a page we cannot analyse is kept as a page. */
      if (ink_ratio != NULL)
        *ink_ratio = 1.0;
      return FALSE;
    }

  ratio = _pe_clean_ink_ratio_bin (a.bin, a.adpi);
  if (ink_ratio != NULL)
    *ink_ratio = ratio;
  return ratio < max_ink_ratio;
}

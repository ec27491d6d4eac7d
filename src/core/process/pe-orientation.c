/* pe-orientation.c: 0/90/180/270 page orientation with Leptonica
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "pe-clean-private.h"

/* Leptonica's ascender/descender confidence (≈ standard deviations) below which up/down is
 * left as scanned: turning an upright page upside down is worse than not turning one. */
#define UPDOWN_MIN_CONF 2.5

/* Ascender and descender hits needed at all. Leptonica's default (70) gives up on a last page
 * holding only the closing formula and a name; 20 still decides those. */
#define UPDOWN_MIN_COUNT 20

#define SURE_PORTRAIT_CONF 6.0

gboolean
_pe_clean_is_landscape (PIX    *bin,
                        double  max_skew_deg,
                        double *skew_deg,
                        double *skew_conf)
{
  g_autoptr(PIX) turned = NULL;
  double conf90 = 0, skew90;

  /* Text lines give a sharp projection profile only when they run horizontally, so the skew
   * confidence of the page and of the page turned by 90° tells portrait from landscape. Text
   * turned by 90° never scored above 2.5 on the corpus, text lines as scanned 3 to 200: above
   * SURE_PORTRAIT the second measurement is saved. */
  if (*skew_conf >= SURE_PORTRAIT_CONF)
    return FALSE;
  turned = pixRotateOrth (bin, 1);
  if (turned == NULL)
    return FALSE;
  skew90 = _pe_clean_find_skew_bin (turned, max_skew_deg, &conf90);
  if (conf90 < PE_CLEAN_MIN_SKEW_CONFIDENCE || conf90 <= *skew_conf)
    return FALSE;

  *skew_deg = skew90;
  *skew_conf = conf90;
  return TRUE;
}

PIX *
_pe_clean_text_only (PIX    *flat,
                     PIX    *bin,
                     int     factor,
                     double  skew_deg)
{
  int adpi = _pe_clean_get_dpi (bin);
  int max_h = _pe_mm_to_px (8.0, adpi), max_w = _pe_mm_to_px (40.0, adpi);
  int changed = 0;
  g_autoptr(PIX) big = pixSelectBySize (bin, max_w, max_h, 8, L_SELECT_IF_EITHER,
                                        L_SELECT_IF_GT, &changed);
  PIX *text = pixCopy (NULL, flat);

  /* QR codes, logos, rules, frames, signatures and poster-size capitals have no ascenders or
   * descenders, but the hit-miss patterns fire on their corners: on a separator sheet they
   * outvote the few letters and turn it upside down. Their pixels go (not their boxes: a
   * frame's box is the whole page). */
  if (text != NULL && big != NULL)
    {
      int empty = 1;

      pixZero (big, &empty);
      if (!empty)
        {
          g_autoptr(PIX) grown = pixDilateBrick (NULL, big, 3, 3);
          /* The mask is straightened at the analysis resolution (a sixteenth of the work);
           * about the centre of either size is the same rotation to within a pixel there,
           * less than the 3 × 3 growth. */
          g_autoptr(PIX) straight = grown != NULL ? _pe_clean_rotate (grown, skew_deg, 0) : NULL;
          g_autoptr(PIX) full = straight == NULL ? NULL
                                : factor > 1 ? pixExpandReplicate (straight, factor)
                                : pixClone (straight);

          if (full != NULL)
            pixRasterop (text, 0, 0, pixGetWidth (full), pixGetHeight (full),
                         PIX_DST & PIX_NOT (PIX_SRC), full, 0, 0);
        }
    }
  return text;
}

guint
_pe_clean_updown (PIX      *straight_bin,
                  gboolean  landscape,
                  double   *orient_conf)
{
  g_autoptr(PIX) upright = landscape ? pixRotateOrth (straight_bin, 1) : pixClone (straight_bin);
  double upconf = 0;
  guint rotation = landscape ? 90 : 0;

  /* Leptonica's test (its structuring elements are made for 150–300 dpi text), computed by
   * pe-updown.c in a third of the time with the same result. */
  if (upright != NULL)
    upconf = _pe_clean_updown_confidence (upright, UPDOWN_MIN_COUNT);
  if (upconf <= -UPDOWN_MIN_CONF)
    rotation = (rotation + 180) % 360;
  else if (landscape && upconf < UPDOWN_MIN_CONF)
    /* Lines run vertically but nothing tells which way is up (a QR separator sheet has a
     * dozen letters): a quarter turn would be a guess, wrong half the time, and a page
     * turned upside down is worse than one left as scanned. */
    rotation = 0;

  if (orient_conf != NULL)
    *orient_conf = fabs (upconf);
  return rotation;
}

guint
pe_clean_detect_orientation (PIX    *page,
                             double  max_skew_deg,
                             double *confidence)
{
  g_auto(PeCleanAnalysis) a = { 0 };
  g_autoptr(PIX) plain = NULL;
  g_autoptr(PIX) flat = NULL;
  g_autoptr(PIX) text = NULL;
  double skew, conf;
  gboolean landscape;

  g_return_val_if_fail (page != NULL, 0);

  if (confidence != NULL)
    *confidence = 0;

  plain = _pe_clean_plain (page);
  if (plain == NULL || !_pe_clean_analyse (plain, TRUE, 25.0, TRUE, TRUE, &a))
    return 0;

  skew = _pe_clean_find_skew_bin (a.bin, max_skew_deg, &conf);
  landscape = _pe_clean_is_landscape (a.bin, max_skew_deg, &skew, &conf);
  if (conf < PE_CLEAN_MIN_SKEW_CONFIDENCE)
    return 0;   /* no text lines: nothing to go by */

  /* The ink straightened in the same pass that finds it. */
  if (!_pe_clean_render (plain, &a, TRUE, TRUE, NULL, skew, PE_CLEAN_INK_THRESHOLD, NULL, NULL,
                         &flat, FALSE))
    return 0;
  text = _pe_clean_text_only (flat, a.bin, a.factor, skew);
  if (text == NULL)
    return 0;
  return _pe_clean_updown (text, landscape, confidence);
}

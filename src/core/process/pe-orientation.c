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
_pe_clean_text_only (PIX *flat,
                     PIX *bin,
                     int  factor)
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
          g_autoptr(PIX) full = factor > 1 ? pixExpandReplicate (grown, factor)
                                           : pixClone (grown);

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
  l_float32 upconf = 0;
  guint rotation = landscape ? 90 : 0;

  /* The structuring elements of pixUpDownDetect() are made for 150–300 dpi text. */
  if (upright != NULL && pixUpDownDetect (upright, &upconf, UPDOWN_MIN_COUNT, 0, 0) == 0 &&
      upconf <= -UPDOWN_MIN_CONF)
    rotation = (rotation + 180) % 360;

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
  g_autoptr(PIX) flat = NULL;
  g_autoptr(PIX) text = NULL;
  g_autoptr(PIX) full = NULL;
  double skew, conf;
  gboolean landscape;

  g_return_val_if_fail (page != NULL, 0);

  if (confidence != NULL)
    *confidence = 0;

  if (!_pe_clean_analyse (page, TRUE, 25.0, TRUE, TRUE, &a))
    return 0;

  skew = _pe_clean_find_skew_bin (a.bin, max_skew_deg, &conf);
  landscape = _pe_clean_is_landscape (a.bin, max_skew_deg, &skew, &conf);
  if (conf < PE_CLEAN_MIN_SKEW_CONFIDENCE)
    return 0;   /* no text lines: nothing to go by */

  flat = pixThresholdToBinary (a.norm, PE_CLEAN_INK_THRESHOLD);
  text = flat != NULL ? _pe_clean_text_only (flat, a.bin, a.factor) : NULL;
  full = text != NULL ? _pe_clean_rotate (text, skew, 0) : NULL;
  if (full == NULL)
    return 0;
  return _pe_clean_updown (full, landscape, confidence);
}

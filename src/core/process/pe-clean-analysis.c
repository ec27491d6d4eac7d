/* pe-clean-analysis.c: the reduced binary view of a page that the cleanup steps measure on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-clean-private.h"

gboolean
_pe_clean_analyse (PIX             *src,
                   gboolean         crop_borders,
                   double           max_border_mm,
                   gboolean         remove_holes,
                   gboolean         normalize,
                   PeCleanAnalysis *a)
{
  g_autoptr(PIX) reduced = NULL;
  g_autoptr(PIX) reduced_norm = NULL;
  int depth = pixGetDepth (src);

  *a = (PeCleanAnalysis) { 0 };
  a->dpi = _pe_clean_get_dpi (src);

  /* An 8 bpp page is only copied when something is painted on it. A colour page is read once
   * for its grey and the colour decision's sample. */
  if (depth == 32)
    {
      g_autoptr(GArray) samples = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 20);
      int step = MAX (1, a->dpi / 100);

      a->grey = _pe_clean_rgb_to_grey (src, step, samples);
      _pe_clean_color_stats ((const guint32 *) samples->data, samples->len, &a->color_fraction,
                             a->paper);
    }
  else
    {
      a->grey = depth == 8 ? pixClone (src) : pe_clean_to_grey (src);
      a->paper[0] = a->paper[1] = a->paper[2] = 255;
    }
  if (a->grey == NULL)
    return FALSE;

  reduced = _pe_clean_reduce_grey (a->grey, a->dpi, &a->factor);
  if (reduced == NULL)
    return FALSE;
  a->adpi = a->dpi / a->factor;

  if (crop_borders)
    {
      g_autoptr(PIX) raw = pixThresholdToBinary (reduced, PE_CLEAN_BORDER_THRESHOLD);
      int empty = 1;

      if (raw == NULL)
        return FALSE;
      a->erase = _pe_clean_border_mask (raw, a->adpi, max_border_mm, &a->n_edges);
      if (a->erase == NULL)
        return FALSE;

      /* Painted before normalisation: a dark strip would otherwise count as paper missing its
       * background and be smeared into the neighbouring tiles. */
      pixZero (a->erase, &empty);
      if (!empty)
        {
          if (a->grey == src)
            {
              PIX *copy = pixCopy (NULL, a->grey);

              pixDestroy (&a->grey);
              a->grey = copy;
              if (copy == NULL)
                return FALSE;
            }
          _pe_clean_paint_white (a->grey, a->erase, a->factor);
          if (a->factor == 1)
            {
              pixDestroy (&reduced);
              reduced = pixClone (a->grey);
            }
          else
            {
              _pe_clean_paint_white (reduced, a->erase, 1);
            }
        }
    }

  if (normalize && depth != 1)
    {
      g_autoptr(PIX) map = NULL;
      int sx, sy;

      /* The background map is made at the analysis resolution (a quarter of the pixels) and
       * applied to both resolutions. */
      _pe_clean_background_tiles (a->adpi, &sx, &sy);
      if (pixGetBackgroundGrayMap (reduced, NULL, sx, sy, PE_CLEAN_INK_THRESHOLD, sx * sy / 4,
                                   &map) == 0 && map != NULL)
        a->inv_map = pixGetInvBackgroundMap (map, 255, 2, 2);
      if (a->inv_map != NULL)
        {
          a->map_sx = sx * a->factor;
          a->map_sy = sy * a->factor;
          a->norm = _pe_clean_apply_map (a->grey, a->inv_map, a->map_sx, a->map_sy);
          reduced_norm = _pe_clean_apply_map (reduced, a->inv_map, sx, sy);
        }
    }
  if (a->norm == NULL)
    {
      /* Not normalised, or no paper visible anywhere (a page that is all photo). */
      a->norm = pixCopy (NULL, a->grey);   /* holes are painted on it */
      reduced_norm = pixClone (reduced);
    }
  if (a->norm == NULL || reduced_norm == NULL)
    return FALSE;
  pixSetResolution (a->norm, a->dpi, a->dpi);

  a->bin = pixThresholdToBinary (reduced_norm, PE_CLEAN_INK_THRESHOLD);
  if (a->bin == NULL)
    return FALSE;
  pixSetResolution (a->bin, a->adpi, a->adpi);
  if (a->erase == NULL)
    a->erase = pixCreateTemplate (a->bin);
  else
    pixSubtract (a->bin, a->bin, a->erase);

  if (remove_holes)
    {
      g_autoptr(PIX) holes = _pe_clean_hole_mask (a->bin, a->adpi, &a->n_holes);

      if (holes == NULL)
        return FALSE;
      if (a->n_holes > 0)
        {
          pixSubtract (a->bin, a->bin, holes);
          pixOr (a->erase, a->erase, holes);
          _pe_clean_paint_white (a->norm, holes, a->factor);
        }
    }

  return TRUE;
}

void
_pe_clean_analysis_clear (PeCleanAnalysis *a)
{
  pixDestroy (&a->grey);
  pixDestroy (&a->norm);
  pixDestroy (&a->bin);
  pixDestroy (&a->erase);
  pixDestroy (&a->inv_map);
}

/* pe-clean-profile.c: the cleanup parameters as scan-profile keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "pe-error.h"
#include "pe-clean-profile.h"

typedef enum
{
  KIND_BOOLEAN,
  KIND_NUMBER,
  KIND_COLOR,
  KIND_BINARIZE,
} Kind;

typedef struct
{
  const char *key;
  Kind        kind;
  gsize       offset;   /* of the field in PeCleanParams */
  double      min, max; /* numbers */
  const char *allowed;  /* N_(): what the message says is valid */
} KeySpec;

#define FIELD(f) G_STRUCT_OFFSET (PeCleanParams, f)

/* Ranges: wide enough for any sensible scan, narrow enough that a typo (a percentage where a
 * fraction belongs, millimetres in place of degrees) is caught when the file is read. */
static const KeySpec specs[] = {
  { "Deskew", KIND_BOOLEAN, FIELD (deskew), 0, 0, N_("true or false") },
  { "MaxSkew", KIND_NUMBER, FIELD (max_skew_deg), 0.5, 15,
    N_("the largest skew to correct in degrees, from 0.5 to 15") },
  { "MinSkew", KIND_NUMBER, FIELD (min_skew_deg), 0, 2,
    N_("the smallest skew to correct in degrees, from 0 to 2") },
  { "Orientation", KIND_BOOLEAN, FIELD (orientation), 0, 0, N_("true or false") },
  { "CropBorders", KIND_BOOLEAN, FIELD (crop_borders), 0, 0, N_("true or false") },
  { "MaxBorder", KIND_NUMBER, FIELD (max_border_mm), 1, 60,
    N_("how deep a dark scanner edge may reach in millimetres, from 1 to 60") },
  { "PunchHoles", KIND_BOOLEAN, FIELD (remove_punch_holes), 0, 0, N_("true or false") },
  { "Despeckle", KIND_BOOLEAN, FIELD (despeckle), 0, 0, N_("true or false") },
  { "DespeckleSize", KIND_NUMBER, FIELD (despeckle_max_mm), 0.05, 2,
    N_("the largest dot to remove in millimetres, from 0.05 to 2") },
  { "NormalizeBackground", KIND_BOOLEAN, FIELD (normalize_background), 0, 0,
    N_("true or false") },
  { "Binarize", KIND_BINARIZE, FIELD (binarize), 0, 0, N_("otsu or sauvola") },
  { "ColorPolicy", KIND_COLOR, FIELD (color), 0, 0,
    N_("auto, bitonal, grey or color (or the older keep, gray)") },
  { "ColorMinFraction", KIND_NUMBER, FIELD (color_min_fraction), 0, 1,
    N_("the share of the page that must be coloured to keep colour, from 0 to 1") },
  { "BlankInkRatio", KIND_NUMBER, FIELD (blank_ink_ratio), 0, 0.1,
    N_("the share of ink below which a page is blank, from 0 to 0.1") },
};

const char *const *
pe_clean_profile_get_keys (void)
{
  static const char *keys[G_N_ELEMENTS (specs) + 1];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
        keys[i] = specs[i].key;
      g_once_init_leave (&done, 1);
    }
  return keys;
}

static const KeySpec *
find_spec (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (g_ascii_strcasecmp (specs[i].key, key) == 0)
      return &specs[i];
  return NULL;
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Parses @text for @spec into @out (a gboolean, double or enum as the field is); FALSE when
 * it is not valid. */
static gboolean
parse (const KeySpec *spec,
       const char    *text,
       gpointer       out)
{
  g_autofree char *word = g_ascii_strdown (text, -1);

  g_strstrip (word);
  switch (spec->kind)
    {
    case KIND_BOOLEAN:
      {
        static const char *const yes[] = { "true", "yes", "1", NULL };
        static const char *const no[] = { "false", "no", "0", NULL };

        if (g_strv_contains (yes, word))
          *(gboolean *) out = TRUE;
        else if (g_strv_contains (no, word))
          *(gboolean *) out = FALSE;
        else
          return FALSE;
        return TRUE;
      }

    case KIND_NUMBER:
      {
        char *end = NULL;
        double v;

        if (*word == '\0')
          return FALSE;
        /* In the C locale: a profile reads the same whatever the clerk's language. */
        v = g_ascii_strtod (word, &end);
        if (end == word || *end != '\0' || !isfinite (v) || v < spec->min || v > spec->max)
          return FALSE;
        *(double *) out = v;
        return TRUE;
      }

    case KIND_COLOR:
      {
        /* keep, gray and auto are the values profiles had before the cleanup read them. */
        static const struct { const char *word; PeColorPolicy policy; } words[] = {
          { "auto", PE_COLOR_AUTO },
          { "bitonal", PE_COLOR_BITONAL },
          { "grey", PE_COLOR_GREY },
          { "gray", PE_COLOR_GREY },
          { "color", PE_COLOR_COLOR },
          { "colour", PE_COLOR_COLOR },
          { "keep", PE_COLOR_COLOR },
        };

        for (guint i = 0; i < G_N_ELEMENTS (words); i++)
          if (g_str_equal (word, words[i].word))
            {
              *(PeColorPolicy *) out = words[i].policy;
              return TRUE;
            }
        return FALSE;
      }

    case KIND_BINARIZE:
      if (g_str_equal (word, "otsu"))
        *(PeBinarizeMethod *) out = PE_BINARIZE_OTSU;
      else if (g_str_equal (word, "sauvola"))
        *(PeBinarizeMethod *) out = PE_BINARIZE_SAUVOLA;
      else
        return FALSE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

gboolean
pe_clean_profile_check (const char  *key,
                        const char  *value,
                        const char **allowed)
{
  const KeySpec *spec;
  PeCleanParams scratch;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (allowed != NULL)
    *allowed = NULL;
  /* Not ours, or empty (as if not set, like the profile's other keys). */
  if ((spec = find_spec (key)) == NULL || is_blank (value))
    return TRUE;
  if (parse (spec, value, (guint8 *) &scratch + spec->offset))
    return TRUE;
  if (allowed != NULL)
    *allowed = _(spec->allowed);
  return FALSE;
}

gboolean
pe_clean_params_from_lookup (PeCleanParams     *params,
                             PeCleanKeyLookup   lookup,
                             gpointer           user_data,
                             GError           **error)
{
  PeCleanParams result;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (lookup != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pe_clean_params_init_default (&result);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      const char *value = lookup (specs[i].key, user_data);

      if (value == NULL || is_blank (value))
        continue;
      if (!parse (&specs[i], value, (guint8 *) &result + specs[i].offset))
        {
          pe_clean_params_init_default (params);
          /* TRANSLATORS: key, value, what is allowed */
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("The cleanup setting %s=%s is not valid. Use %s, then try again."),
                       specs[i].key, value, _(specs[i].allowed));
          return FALSE;
        }
    }

  *params = result;
  return TRUE;
}

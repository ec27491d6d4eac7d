/* pe-scanner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything below "SANE thread" runs on the process's one SANE thread (pe-sane-worker.c).
 * The device is opened at the start of each scan job and closed at its end: a scanner that was
 * switched off and on again between two batches then just works, and the pnm backend (which
 * allows only one open device) is never held open while idle.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sane/sane.h>
#include <sane/saneopts.h>
#include <string.h>

#include "pe-duplex.h"
#include "pe-error.h"
#include "pe-sane-frame-source.h"
#include "pe-sane-worker.h"
#include "pe-scanner.h"
#include "pe-types.h"

/* sane_read() chunk: small enough for regular progress, large enough to cost nothing. */
#define READ_CHUNK           (256 * 1024)
/* One frame larger than this is refused before reading: A3 at 1200 dpi colour is ~ 0.8 GB. */
#define MAX_FRAME_BYTES      (G_GUINT64_CONSTANT (1) << 31)
#define PROGRESS_STEP        0.01
/* A blocking sane_read() that keeps returning no data: the device is gone (the net backend
 * does this forever once saned's data connection has closed). */
#define STALL_TIMEOUT_USEC   (10 * G_USEC_PER_SEC)

struct _PeScanner
{
  GObject  parent_instance;

  char          *device_name;
  PeFrameSource *frame_source;    /* NULL: open the SANE device for each job */
  gint           pages_scanned;   /* atomic: written on the SANE thread */
  gint           busy;            /* atomic: a scan job is queued or running */
};

enum {
  PROP_0,
  PROP_DEVICE_NAME,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (PeScanner, pe_scanner, G_TYPE_OBJECT)

/* A copy of everything the caller passed, owned by the task: the caller's PeScanOptions may be
 * gone long before the job runs. */
typedef struct
{
  char         *source;
  guint         resolution;
  char         *mode;
  char        **options;
  guint         max_pages;
  char         *page_size;
  char        **soft_options;
  guint         backs_of;
  PeSheetFunc   sheet_func;
  PePageFunc    page_func;
  gpointer      user_data;
  GMainContext *context;
  guint         delivered;    /* written on the SANE thread, read after the task returned */
} ScanJob;

static void
scan_job_free (gpointer data)
{
  ScanJob *job = data;

  g_free (job->source);
  g_free (job->mode);
  g_strfreev (job->options);
  g_free (job->page_size);
  g_strfreev (job->soft_options);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job);
}

/* ---------------------------------------------------------------------------------------- */
/* Matching the caller's words against the device's own strings                              */

/* Drivers name the same thing differently ("ADF", "Automatic Document Feeder", "ADF Front",
 * "Document Table", "Grayscale", "Black & White"). Instead of per-backend code, each generic
 * word has a list of lower-case substrings tried in order against the device's string list
 * (first pattern that matches any device string wins) and substrings that must not occur.
 * An exact (case-insensitive) device string is always accepted first. */
typedef struct
{
  const char        *word;
  const char *const  include[8];
  const char *const  exclude[6];
} ChoicePattern;

static const ChoicePattern source_patterns[] = {
  { "flatbed", { "flatbed", "platen", "document table", "normal", NULL },
               { "adf", "feeder", "duplex", NULL } },
  { "adf",     { "adf front", "adf", "automatic document feeder", "feeder", "simplex", NULL },
               { "duplex", "back", "rear", NULL } },
  { "duplex",  { "duplex", NULL }, { NULL } },
};

static const ChoicePattern mode_patterns[] = {
  { "color",   { "color", "colour", "rgb", "farbe", NULL },
               { "lineart", "halftone", NULL } },
  { "gray",    { "gray", "grey", "graustufen", NULL }, { NULL } },
  { "lineart", { "lineart", "line art", "binary", "black & white", "black and white",
                 "monochrome", "bw", NULL },
               { "halftone", "gray", "grey", NULL } },
};

static gboolean
string_matches_pattern (const char          *device_string,
                        const char          *include,
                        const ChoicePattern *pattern)
{
  g_autofree char *lower = g_utf8_strdown (device_string, -1);

  if (strstr (lower, include) == NULL)
    return FALSE;
  for (guint i = 0; pattern->exclude[i] != NULL; i++)
    if (strstr (lower, pattern->exclude[i]) != NULL)
      return FALSE;
  return TRUE;
}

static const char *
match_choice (const SANE_String_Const *list,
              const ChoicePattern     *patterns,
              guint                    n_patterns,
              const char              *wanted)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (list[i], wanted) == 0)
      return list[i];

  for (guint p = 0; p < n_patterns; p++)
    {
      if (g_ascii_strcasecmp (patterns[p].word, wanted) != 0)
        continue;

      for (guint k = 0; patterns[p].include[k] != NULL; k++)
        for (guint i = 0; list[i] != NULL; i++)
          if (string_matches_pattern (list[i], patterns[p].include[k], &patterns[p]))
            return list[i];
    }

  return NULL;
}

/* Which generic word a device string stands for, or NULL. */
static const char *
classify_choice (const char          *device_string,
                 const ChoicePattern *patterns,
                 guint                n_patterns)
{
  for (guint p = 0; p < n_patterns; p++)
    {
      if (g_ascii_strcasecmp (patterns[p].word, device_string) == 0)
        return patterns[p].word;
      for (guint k = 0; patterns[p].include[k] != NULL; k++)
        if (string_matches_pattern (device_string, patterns[p].include[k], &patterns[p]))
          return patterns[p].word;
    }

  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: options                                                                      */

typedef struct
{
  const char    *name;
  PeFrameSource *src;
} Device;

static const SANE_Option_Descriptor *
find_option (Device     *dev,
             const char *name,
             SANE_Int   *index)
{
  SANE_Int count = 0;
  const SANE_Option_Descriptor *desc0;

  /* Option 0 holds the option count; re-read every time because a reload may change it. */
  desc0 = pe_frame_source_get_option_descriptor (dev->src, 0);
  if (desc0 == NULL
      || pe_frame_source_control_option (dev->src, 0, SANE_ACTION_GET_VALUE, &count, NULL)
         != SANE_STATUS_GOOD)
    return NULL;

  for (SANE_Int i = 1; i < count; i++)
    {
      const SANE_Option_Descriptor *desc = pe_frame_source_get_option_descriptor (dev->src, i);

      if (desc != NULL && desc->name != NULL && desc->type != SANE_TYPE_GROUP
          && g_strcmp0 (desc->name, name) == 0)
        {
          *index = i;
          return desc;
        }
    }

  return NULL;
}

static char *
list_option_names (Device *dev)
{
  g_autoptr(GString) names = g_string_new (NULL);
  SANE_Int count = 0;

  if (pe_frame_source_control_option (dev->src, 0, SANE_ACTION_GET_VALUE, &count, NULL)
      != SANE_STATUS_GOOD)
    return g_strdup ("");

  for (SANE_Int i = 1; i < count; i++)
    {
      const SANE_Option_Descriptor *desc = pe_frame_source_get_option_descriptor (dev->src, i);

      if (desc == NULL || desc->name == NULL || *desc->name == '\0'
          || desc->type == SANE_TYPE_GROUP
          || !SANE_OPTION_IS_ACTIVE (desc->cap) || !SANE_OPTION_IS_SETTABLE (desc->cap))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, desc->name);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
append_number (GString          *s,
               SANE_Value_Type   type,
               SANE_Word         w)
{
  if (type == SANE_TYPE_FIXED)
    g_string_append_printf (s, "%g", SANE_UNFIX (w));
  else
    g_string_append_printf (s, "%d", w);
}

/* The allowed values of an option, for messages that say what would work. */
static char *
describe_allowed (const SANE_Option_Descriptor *desc)
{
  GString *s = g_string_new (NULL);

  switch (desc->constraint_type)
    {
    case SANE_CONSTRAINT_RANGE:
      append_number (s, desc->type, desc->constraint.range->min);
      g_string_append (s, "…");
      append_number (s, desc->type, desc->constraint.range->max);
      break;

    case SANE_CONSTRAINT_WORD_LIST:
      for (SANE_Int i = 1; i <= desc->constraint.word_list[0]; i++)
        {
          if (i > 1)
            g_string_append (s, ", ");
          append_number (s, desc->type, desc->constraint.word_list[i]);
        }
      break;

    case SANE_CONSTRAINT_STRING_LIST:
      for (guint i = 0; desc->constraint.string_list[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (s, ", ");
          g_string_append_printf (s, "“%s”", desc->constraint.string_list[i]);
        }
      break;

    case SANE_CONSTRAINT_NONE:
    default:
      if (desc->type == SANE_TYPE_BOOL)
        g_string_append (s, _("yes, no"));
      else if (desc->type == SANE_TYPE_INT || desc->type == SANE_TYPE_FIXED)
        g_string_append (s, _("a number"));
      else
        g_string_append (s, _("any text"));
      break;
    }

  return g_string_free (s, FALSE);
}

static gboolean
set_invalid_value_error (GError                      **error,
                         Device                       *dev,
                         const SANE_Option_Descriptor *desc,
                         const char                   *value)
{
  g_autofree char *allowed = describe_allowed (desc);

  g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
               _("Scanner “%s” does not accept “%s” for the option “%s”. Allowed: %s."),
               dev->name, value, desc->name, allowed);
  return FALSE;
}

static gboolean
control_set (Device                       *dev,
             SANE_Int                      index,
             const SANE_Option_Descriptor *desc,
             void                         *value,
             const char                   *value_text,
             GError                      **error)
{
  SANE_Int info = 0;
  SANE_Status status;

  status = pe_frame_source_control_option (dev->src, index, SANE_ACTION_SET_VALUE, value, &info);
  if (status == SANE_STATUS_INVAL)
    return set_invalid_value_error (error, dev, desc, value_text);
  if (status != SANE_STATUS_GOOD)
    return _pe_sane_set_error (error, status, dev->name);

  /* SANE_INFO_RELOAD_OPTIONS needs nothing here: descriptors are looked up afresh by name
   * for every option set, so later options see the reloaded set. */
  if (info & SANE_INFO_INEXACT)
    g_debug ("%s: option %s=%s set inexactly", dev->name, desc->name, value_text);

  return TRUE;
}

static const SANE_Option_Descriptor *
find_settable_option (Device      *dev,
                      const char  *name,
                      SANE_Int    *index,
                      GError     **error)
{
  const SANE_Option_Descriptor *desc = find_option (dev, name, index);

  if (desc == NULL)
    {
      g_autofree char *names = list_option_names (dev);

      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scanner “%s” has no option “%s”. Its options are: %s."),
                   dev->name, name, names);
      return NULL;
    }

  if (!SANE_OPTION_IS_ACTIVE (desc->cap))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The option “%s” of scanner “%s” is not available with the current "
                     "settings: choose another mode or source first, or leave it out."),
                   name, dev->name);
      return NULL;
    }

  if (!SANE_OPTION_IS_SETTABLE (desc->cap))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The option “%s” of scanner “%s” is read-only: leave it out."),
                   name, dev->name);
      return NULL;
    }

  return desc;
}

static gboolean
parse_number (const SANE_Option_Descriptor *desc,
              const char                   *text,
              double                       *out)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (*stripped == '\0')
    return FALSE;

  *out = g_ascii_strtod (stripped, &end);
  if (end == stripped || *end != '\0')
    return FALSE;
  if (desc->type == SANE_TYPE_INT && *out != (double) (gint64) *out)
    return FALSE;

  return TRUE;
}

static SANE_Word
to_word (const SANE_Option_Descriptor *desc,
         double                        v)
{
  if (desc->type == SANE_TYPE_FIXED)
    return SANE_FIX (v);
  return (SANE_Word) CLAMP (v, (double) G_MININT32, (double) G_MAXINT32);
}

/* The allowed value closest to @w; used for resolution, where "300" should give the device's
 * 300 or nearest instead of an error on a scanner that only knows 150/200/600. */
static SANE_Word
nearest_allowed (const SANE_Option_Descriptor *desc,
                 SANE_Word                     w)
{
  if (desc->constraint_type == SANE_CONSTRAINT_RANGE)
    {
      const SANE_Range *r = desc->constraint.range;
      SANE_Word v = CLAMP (w, r->min, r->max);

      if (r->quant > 0)
        {
          gint64 steps = ((gint64) v - r->min + r->quant / 2) / r->quant;

          v = (SANE_Word) MIN ((gint64) r->min + steps * r->quant, (gint64) r->max);
        }
      return v;
    }

  if (desc->constraint_type == SANE_CONSTRAINT_WORD_LIST && desc->constraint.word_list[0] > 0)
    {
      SANE_Word best = desc->constraint.word_list[1];

      for (SANE_Int i = 2; i <= desc->constraint.word_list[0]; i++)
        {
          SANE_Word c = desc->constraint.word_list[i];

          if (ABS ((gint64) c - w) < ABS ((gint64) best - w))
            best = c;
        }
      return best;
    }

  return w;
}

static gboolean
word_allowed (const SANE_Option_Descriptor *desc,
              SANE_Word                     w)
{
  if (desc->constraint_type == SANE_CONSTRAINT_RANGE)
    return w >= desc->constraint.range->min && w <= desc->constraint.range->max;

  if (desc->constraint_type == SANE_CONSTRAINT_WORD_LIST)
    {
      for (SANE_Int i = 1; i <= desc->constraint.word_list[0]; i++)
        if (desc->constraint.word_list[i] == w)
          return TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_bool (const char *text,
            SANE_Word  *out)
{
  static const char *const yes[] = { "yes", "true", "on", "1", NULL };
  static const char *const no[] = { "no", "false", "off", "0", NULL };

  for (guint i = 0; yes[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0)
      return (*out = SANE_TRUE), TRUE;
  for (guint i = 0; no[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, no[i]) == 0)
      return (*out = SANE_FALSE), TRUE;
  return FALSE;
}

static gboolean
is_resolution_option (const char *name)
{
  return g_strcmp0 (name, SANE_NAME_SCAN_RESOLUTION) == 0
         || g_strcmp0 (name, SANE_NAME_SCAN_X_RESOLUTION) == 0
         || g_strcmp0 (name, SANE_NAME_SCAN_Y_RESOLUTION) == 0;
}

/* Sets option @name from its text form, converted by the option's type. */
static gboolean
set_option (Device      *dev,
            const char  *name,
            const char  *value,
            GError     **error)
{
  const SANE_Option_Descriptor *desc;
  SANE_Int index = 0;

  if (!(desc = find_settable_option (dev, name, &index, error)))
    return FALSE;

  switch (desc->type)
    {
    case SANE_TYPE_BOOL:
      {
        SANE_Word w;

        if (!parse_bool (value, &w))
          return set_invalid_value_error (error, dev, desc, value);
        return control_set (dev, index, desc, &w, value, error);
      }

    case SANE_TYPE_INT:
    case SANE_TYPE_FIXED:
      {
        guint n = MAX (1, desc->size / (SANE_Int) sizeof (SANE_Word));
        g_auto(GStrv) parts = g_strsplit (value, ",", -1);
        guint n_parts = g_strv_length (parts);
        g_autofree SANE_Word *words = NULL;

        /* Arrays (gamma tables) take either one value for every element or all of them. */
        if (n_parts != 1 && n_parts != n)
          return set_invalid_value_error (error, dev, desc, value);

        words = g_new0 (SANE_Word, n);
        for (guint i = 0; i < n; i++)
          {
            double v;
            SANE_Word w;

            if (!parse_number (desc, parts[n_parts == 1 ? 0 : i], &v))
              return set_invalid_value_error (error, dev, desc, value);
            w = to_word (desc, v);
            if (is_resolution_option (name))
              w = nearest_allowed (desc, w);
            else if (!word_allowed (desc, w))
              return set_invalid_value_error (error, dev, desc, value);
            words[i] = w;
          }
        return control_set (dev, index, desc, words, value, error);
      }

    case SANE_TYPE_STRING:
      {
        g_autofree char *buf = NULL;
        const char *chosen = value;

        if (desc->constraint_type == SANE_CONSTRAINT_STRING_LIST)
          {
            chosen = NULL;
            for (guint i = 0; desc->constraint.string_list[i] != NULL; i++)
              if (g_ascii_strcasecmp (desc->constraint.string_list[i], value) == 0)
                chosen = desc->constraint.string_list[i];
            if (chosen == NULL)
              return set_invalid_value_error (error, dev, desc, value);
          }

        if ((gsize) desc->size <= strlen (chosen))
          {
            g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                         _("The value for the option “%s” of scanner “%s” is too long: it may "
                           "have at most %d characters."),
                         name, dev->name, desc->size - 1);
            return FALSE;
          }

        buf = g_malloc0 (desc->size);
        memcpy (buf, chosen, strlen (chosen));
        return control_set (dev, index, desc, buf, value, error);
      }

    case SANE_TYPE_BUTTON:
      return control_set (dev, index, desc, NULL, value, error);

    case SANE_TYPE_GROUP:
    default:
      return set_invalid_value_error (error, dev, desc, value);
    }
}

/* "name=value" → name (stripped, leading dashes dropped) and a pointer to the value. */
static char *
split_option_pair (const char   *pair,
                   const char  **value,
                   GError      **error)
{
  const char *eq = strchr (pair, '=');
  const char *start = pair;

  /* People coming from scanimage write "--mode=Gray". */
  while (*start == '-')
    start++;

  if (eq == NULL || eq < start || eq == start)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The scanner option “%s” must be written as name=value, for example "
                     "“mode=Gray”."), pair);
      return NULL;
    }

  *value = eq + 1;
  return g_strstrip (g_strndup (start, eq - start));
}

static gboolean
set_option_pair (Device      *dev,
                 const char  *pair,
                 GError     **error)
{
  g_autofree char *name = NULL;
  const char *value = NULL;

  if (!(name = split_option_pair (pair, &value, error)))
    return FALSE;
  return set_option (dev, name, value, error);
}

/* Like set_option_pair(), but an option the device does not offer (absent, inactive in this
 * mode, read-only) is skipped: a profile's "brightness=10" must not fail on a scanner without
 * brightness, nor "threshold=128" in grey, where drivers make threshold inactive. A value the
 * device offers but rejects is still an error. */
static gboolean
set_soft_option_pair (Device      *dev,
                      const char  *pair,
                      GError     **error)
{
  g_autofree char *name = NULL;
  const SANE_Option_Descriptor *desc;
  const char *value = NULL;
  SANE_Int index = 0;

  if (!(name = split_option_pair (pair, &value, error)))
    return FALSE;

  desc = find_option (dev, name, &index);
  if (desc == NULL || !SANE_OPTION_IS_ACTIVE (desc->cap) || !SANE_OPTION_IS_SETTABLE (desc->cap))
    {
      g_debug ("%s: option %s not offered, %s skipped", dev->name, name, pair);
      return TRUE;
    }

  return set_option (dev, name, value, error);
}

/* Sets a string-list option (source, mode) from a generic word or an exact device string. */
static gboolean
set_choice (Device              *dev,
            const char          *option_name,
            const ChoicePattern *patterns,
            guint                n_patterns,
            const char          *wanted,
            GError             **error)
{
  const SANE_Option_Descriptor *desc;
  SANE_Int index = 0;
  const char *chosen;
  gboolean is_source = g_str_equal (option_name, SANE_NAME_SCAN_SOURCE);

  desc = find_option (dev, option_name, &index);
  if (desc == NULL || !SANE_OPTION_IS_ACTIVE (desc->cap))
    {
      /* A plain flatbed often has no source option at all. */
      if (is_source && g_ascii_strcasecmp (wanted, "flatbed") == 0)
        return TRUE;

      if (is_source)
        g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                     _("Scanner “%s” offers no choice of source, so “%s” cannot be used: "
                       "scan without choosing a source."), dev->name, wanted);
      else
        g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                     _("Scanner “%s” offers no choice of mode, so “%s” cannot be used: "
                       "scan without choosing a mode."), dev->name, wanted);
      return FALSE;
    }

  if (desc->type != SANE_TYPE_STRING || desc->constraint_type != SANE_CONSTRAINT_STRING_LIST)
    return set_option (dev, option_name, wanted, error);

  chosen = match_choice (desc->constraint.string_list, patterns, n_patterns, wanted);
  if (chosen == NULL)
    {
      g_autofree char *allowed = describe_allowed (desc);

      if (is_source)
        g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                     _("Scanner “%s” has no source “%s”. Choose one of: %s."),
                     dev->name, wanted, allowed);
      else
        g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                     _("Scanner “%s” has no mode “%s”. Choose one of: %s."),
                     dev->name, wanted, allowed);
      return FALSE;
    }

  return set_option (dev, option_name, chosen, error);
}

static gboolean
set_resolution (Device      *dev,
                guint        dpi,
                GError     **error)
{
  g_autofree char *text = g_strdup_printf ("%u", dpi);
  SANE_Int index;

  if (find_option (dev, SANE_NAME_SCAN_RESOLUTION, &index) == NULL
      && find_option (dev, SANE_NAME_SCAN_X_RESOLUTION, &index) != NULL)
    {
      /* Devices with separate x/y resolutions only. */
      if (!set_option (dev, SANE_NAME_SCAN_X_RESOLUTION, text, error))
        return FALSE;
      if (find_option (dev, SANE_NAME_SCAN_Y_RESOLUTION, &index) == NULL)
        return TRUE;
      return set_option (dev, SANE_NAME_SCAN_Y_RESOLUTION, text, error);
    }

  if (find_option (dev, SANE_NAME_SCAN_RESOLUTION, &index) == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scanner “%s” has no resolution setting: scan without choosing a "
                     "resolution."), dev->name);
      return FALSE;
    }

  return set_option (dev, SANE_NAME_SCAN_RESOLUTION, text, error);
}

/* Value of a numeric or string option, as text; NULL when absent or inactive. */
static char *
get_option_text (Device     *dev,
                 const char *name)
{
  const SANE_Option_Descriptor *desc;
  g_autofree char *buf = NULL;
  SANE_Int index = 0;

  desc = find_option (dev, name, &index);
  if (desc == NULL || !SANE_OPTION_IS_ACTIVE (desc->cap) || desc->size <= 0)
    return NULL;

  buf = g_malloc0 (MAX (desc->size, (SANE_Int) sizeof (SANE_Word)) + 1);
  if (pe_frame_source_control_option (dev->src, index, SANE_ACTION_GET_VALUE, buf, NULL)
      != SANE_STATUS_GOOD)
    return NULL;

  switch (desc->type)
    {
    case SANE_TYPE_INT:
      return g_strdup_printf ("%d", *(SANE_Word *) buf);
    case SANE_TYPE_FIXED:
      return g_strdup_printf ("%g", SANE_UNFIX (*(SANE_Word *) buf));
    case SANE_TYPE_BOOL:
      return g_strdup (*(SANE_Word *) buf ? "yes" : "no");
    case SANE_TYPE_STRING:
      return g_steal_pointer (&buf);
    case SANE_TYPE_BUTTON:
    case SANE_TYPE_GROUP:
    default:
      return NULL;
    }
}

/* The resolution the device will actually use, after all options (and their reloads). */
static void
get_resolution (Device *dev,
                guint  *xres,
                guint  *yres)
{
  g_autofree char *r = get_option_text (dev, SANE_NAME_SCAN_RESOLUTION);
  g_autofree char *x = get_option_text (dev, SANE_NAME_SCAN_X_RESOLUTION);
  g_autofree char *y = get_option_text (dev, SANE_NAME_SCAN_Y_RESOLUTION);
  const char *xs = x != NULL ? x : r;
  const char *ys = y != NULL ? y : xs;

  *xres = xs != NULL ? (guint) MAX (0.0, g_ascii_strtod (xs, NULL) + 0.5) : 0;
  *yres = ys != NULL ? (guint) MAX (0.0, g_ascii_strtod (ys, NULL) + 0.5) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: page size                                                                    */

typedef struct
{
  const char *name;
  double      width_mm;
  double      height_mm;
} PageSize;

static const PageSize page_sizes[] = {
  { "a3", 297.0, 420.0 },
  { "a4", 210.0, 297.0 },
  { "a5", 148.0, 210.0 },
  { "a6", 105.0, 148.0 },
  { "b5", 176.0, 250.0 },
  { "letter", 215.9, 279.4 },
  { "legal", 215.9, 355.6 },
  { "auto", 0.0, 0.0 },
};

/* Boolean options with which drivers find the paper's size themselves. There is no standard
 * SANE name for it; these are the ones in use ("ald": automatic length detection of fujitsu,
 * canon_dr and others; "swcrop": their crop to the detected paper). Add names here, never
 * backend checks. */
static const char *const auto_size_options[] = { "ald", "swcrop", NULL };

gboolean
pe_scan_page_size_lookup (const char *name,
                          double     *width_mm,
                          double     *height_mm)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (page_sizes); i++)
    if (g_ascii_strcasecmp (page_sizes[i].name, name) == 0)
      {
        if (width_mm != NULL)
          *width_mm = page_sizes[i].width_mm;
        if (height_mm != NULL)
          *height_mm = page_sizes[i].height_mm;
        return TRUE;
      }
  return FALSE;
}

static gboolean
option_is_offered (const SANE_Option_Descriptor *desc)
{
  return desc != NULL && SANE_OPTION_IS_ACTIVE (desc->cap) && SANE_OPTION_IS_SETTABLE (desc->cap);
}

/* Sets a length option (geometry, paper size) to @mm, converted to the option's unit and
 * clipped to what it allows; an option the device does not offer is left alone. */
static gboolean
set_length_if_offered (Device      *dev,
                       const char  *name,
                       double       mm,
                       GError     **error)
{
  const SANE_Option_Descriptor *desc;
  g_autofree char *text = NULL;
  SANE_Int index = 0;
  SANE_Word w;
  double v;

  desc = find_option (dev, name, &index);
  if (!option_is_offered (desc) || (desc->type != SANE_TYPE_INT && desc->type != SANE_TYPE_FIXED)
      || desc->size != (SANE_Int) sizeof (SANE_Word))
    return TRUE;

  if (desc->unit == SANE_UNIT_MM)
    v = mm;
  else if (desc->unit == SANE_UNIT_PIXEL)
    {
      guint xres = 0, yres = 0;

      get_resolution (dev, &xres, &yres);
      if (xres == 0)
        return TRUE;
      v = mm * (g_str_has_suffix (name, "-y") || g_str_equal (name, "page-height")
                ? yres : xres) / 25.4;
    }
  else
    return TRUE;

  w = nearest_allowed (desc, to_word (desc, v));
  text = g_strdup_printf ("%g", v);
  return control_set (dev, index, desc, &w, text, error);
}

static gboolean
set_page_size (Device      *dev,
               const char  *page_size,
               GError     **error)
{
  double width = 0, height = 0;

  if (!pe_scan_page_size_lookup (page_size, &width, &height))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Unknown page size “%s”: use a3, a4, a5, a6, b5, letter, legal or auto."),
                   page_size);
      return FALSE;
    }

  if (width == 0)
    {
      for (guint i = 0; auto_size_options[i] != NULL; i++)
        {
          SANE_Int index = 0;
          const SANE_Option_Descriptor *desc = find_option (dev, auto_size_options[i], &index);

          if (option_is_offered (desc) && desc->type == SANE_TYPE_BOOL)
            return set_option (dev, auto_size_options[i], "yes", error);
        }
      /* Without detection the device's default area (usually all of it) is the best guess. */
      g_debug ("%s: no automatic page size; default scan area kept", dev->name);
      return TRUE;
    }

  /* Sheet-fed drivers bound the scan area by the paper size they are told (page-width,
   * page-height), so those come first. */
  return set_length_if_offered (dev, "page-width", width, error)
         && set_length_if_offered (dev, "page-height", height, error)
         && set_length_if_offered (dev, SANE_NAME_SCAN_TL_X, 0, error)
         && set_length_if_offered (dev, SANE_NAME_SCAN_TL_Y, 0, error)
         && set_length_if_offered (dev, SANE_NAME_SCAN_BR_X, width, error)
         && set_length_if_offered (dev, SANE_NAME_SCAN_BR_Y, height, error);
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: starting every job from the device's defaults                                */

/* Backends keep option values across sane_close()/sane_open() within a process (test and pnm
 * do; so do many real drivers). Without this, one job's "read-return-value=…", source or
 * profile options would leak into the next job of a long-running station. So the values found
 * at the first open of a device in this process are remembered, and each later job first puts
 * back whatever differs. Only touched on the SANE thread. */
typedef struct
{
  char   *name;
  GBytes *value;
} SavedOption;

static void
saved_option_free (gpointer data)
{
  SavedOption *o = data;

  g_free (o->name);
  g_bytes_unref (o->value);
  g_free (o);
}

static GHashTable *device_defaults;   /* device name → GPtrArray of SavedOption */

static GBytes *
read_option_value (Device                       *dev,
                   SANE_Int                      index,
                   const SANE_Option_Descriptor *desc)
{
  gpointer buf;

  if (desc->size <= 0)
    return NULL;

  buf = g_malloc0 (desc->size);
  if (pe_frame_source_control_option (dev->src, index, SANE_ACTION_GET_VALUE, buf, NULL)
      != SANE_STATUS_GOOD)
    {
      g_free (buf);
      return NULL;
    }

  return g_bytes_new_take (buf, desc->size);
}

static gboolean
option_is_restorable (const SANE_Option_Descriptor *desc)
{
  return desc != NULL && desc->name != NULL && *desc->name != '\0'
         && desc->type != SANE_TYPE_GROUP && desc->type != SANE_TYPE_BUTTON
         && SANE_OPTION_IS_ACTIVE (desc->cap) && SANE_OPTION_IS_SETTABLE (desc->cap);
}

static void
remember_or_restore_defaults (Device *dev)
{
  GPtrArray *saved;
  SANE_Int count = 0;

  if (device_defaults == NULL)
    device_defaults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);

  saved = g_hash_table_lookup (device_defaults, dev->name);
  if (saved == NULL)
    {
      saved = g_ptr_array_new_with_free_func (saved_option_free);

      if (pe_frame_source_control_option (dev->src, 0, SANE_ACTION_GET_VALUE, &count, NULL)
          == SANE_STATUS_GOOD)
        for (SANE_Int i = 1; i < count; i++)
          {
            const SANE_Option_Descriptor *desc =
              pe_frame_source_get_option_descriptor (dev->src, i);
            SavedOption *o;
            GBytes *value;

            if (!option_is_restorable (desc) || !(value = read_option_value (dev, i, desc)))
              continue;
            o = g_new0 (SavedOption, 1);
            o->name = g_strdup (desc->name);
            o->value = value;
            g_ptr_array_add (saved, o);
          }

      g_hash_table_insert (device_defaults, g_strdup (dev->name), saved);
      return;
    }

  /* Twice: putting back a mode or source can re-activate options that come before it. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < saved->len; i++)
      {
        SavedOption *o = g_ptr_array_index (saved, i);
        const SANE_Option_Descriptor *desc;
        g_autoptr(GBytes) current = NULL;
        g_autofree gpointer buf = NULL;
        SANE_Int index = 0;

        desc = find_option (dev, o->name, &index);
        if (!option_is_restorable (desc) || desc->size != (SANE_Int) g_bytes_get_size (o->value))
          continue;
        current = read_option_value (dev, index, desc);
        if (current != NULL && g_bytes_equal (current, o->value))
          continue;

        buf = g_memdup2 (g_bytes_get_data (o->value, NULL), g_bytes_get_size (o->value));
        if (pe_frame_source_control_option (dev->src, index, SANE_ACTION_SET_VALUE, buf, NULL)
            != SANE_STATUS_GOOD)
          g_debug ("%s: could not restore option %s", dev->name, o->name);
      }
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: progress                                                                     */

typedef struct
{
  PeScanner *self;
  guint      page;
  double     fraction;
} Progress;

static gboolean
progress_emit (gpointer data)
{
  Progress *p = data;

  g_signal_emit (p->self, signals[PROGRESS], 0, p->page, p->fraction);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_object_unref (p->self);
  g_free (p);
}

typedef struct
{
  PeScanner *self;
  ScanJob   *job;
  guint      page;
  double     last;
  gint64     read_end;   /* monotonic time of the last frame's end of data */
} ProgressState;

static void
progress_report (ProgressState *ps,
                 double         fraction)
{
  Progress *p;

  if (fraction == ps->last)
    return;
  if (fraction >= 0 && fraction < 1.0 && ps->last >= 0 && fraction - ps->last < PROGRESS_STEP)
    return;
  ps->last = fraction;

  p = g_new0 (Progress, 1);
  p->self = g_object_ref (ps->self);
  p->page = ps->page;
  p->fraction = fraction;
  g_main_context_invoke_full (ps->job->context, G_PRIORITY_DEFAULT,
                              progress_emit, p, progress_free);
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: reading frames and building the PIX                                          */

typedef struct
{
  SANE_Parameters  params;
  GByteArray      *data;
  guint            lines;     /* lines actually received */
} Frame;

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->data, g_byte_array_unref);
}

/* Reads one frame until EOF. Unknown height (hand scanners: lines == -1) grows the buffer.
 * Returns the SANE status that ended the frame (GOOD for EOF). */
static SANE_Status
read_frame (Device          *dev,
            Frame           *frame,
            ProgressState   *ps,
            guint            frame_index,
            guint            n_frames,
            GError         **error)
{
  const SANE_Parameters *p = &frame->params;
  guint64 expected = p->lines > 0 ? (guint64) p->bytes_per_line * p->lines : 0;
  gsize len = 0;
  gsize discarded = 0;
  gint64 stalled_since = 0;

  if (p->bytes_per_line <= 0 || p->pixels_per_line <= 0 || p->lines == 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Scanner “%s” announced an empty image: check the scan area, then try "
                     "again."), dev->name);
      return SANE_STATUS_INVAL;
    }

  if (expected > MAX_FRAME_BYTES)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                   _("The scan would be too large (%llu MB): choose a lower resolution or a "
                     "smaller scan area."), (unsigned long long) (expected / (1024 * 1024)));
      return SANE_STATUS_NO_MEM;
    }

  frame->data = g_byte_array_sized_new (expected > 0 ? expected : 4 * 1024 * 1024);
  g_byte_array_set_size (frame->data, expected > 0 ? expected : 4 * 1024 * 1024);

  for (;;)
    {
      SANE_Byte scratch[4096];
      SANE_Byte *dest;
      SANE_Int max;
      SANE_Int n = 0;
      SANE_Status status;

      if (len == frame->data->len)
        {
          if (expected > 0)
            {
              /* A backend sending more than it announced: keep what the geometry says. */
              dest = scratch;
              max = sizeof scratch;
            }
          else if ((guint64) frame->data->len * 2 > MAX_FRAME_BYTES)
            {
              g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                           _("The scan is too long: stop the hand scanner earlier or choose "
                             "a lower resolution."));
              return SANE_STATUS_NO_MEM;
            }
          else
            {
              g_byte_array_set_size (frame->data, frame->data->len * 2);
              continue;
            }
        }
      else
        {
          dest = frame->data->data + len;
          max = (SANE_Int) MIN ((gsize) READ_CHUNK, frame->data->len - len);
        }

      status = pe_frame_source_read (dev->src, dest, max, &n);
      if (status == SANE_STATUS_EOF)
        {
          ps->read_end = g_get_monotonic_time ();
          break;
        }
      if (status != SANE_STATUS_GOOD)
        {
          g_byte_array_set_size (frame->data, len);
          frame->lines = len / p->bytes_per_line;
          return status;
        }

      if (n == 0)
        {
          gint64 now = g_get_monotonic_time ();

          if (stalled_since == 0)
            stalled_since = now;
          else if (now - stalled_since > STALL_TIMEOUT_USEC)
            {
              g_byte_array_set_size (frame->data, len);
              frame->lines = len / p->bytes_per_line;
              return SANE_STATUS_IO_ERROR;
            }
          /* Not a busy loop while waiting. */
          g_usleep (1000);
          continue;
        }
      stalled_since = 0;

      if (dest == scratch)
        discarded += n;
      else
        len += n;

      if (expected > 0)
        progress_report (ps, (frame_index + (double) len / expected) / n_frames);
    }

  if (discarded > 0)
    g_debug ("%s: %" G_GSIZE_FORMAT " bytes beyond the announced image dropped",
             dev->name, discarded);

  frame->lines = len / p->bytes_per_line;
  g_byte_array_set_size (frame->data, (gsize) frame->lines * p->bytes_per_line);
  return SANE_STATUS_GOOD;
}

static inline guint
sample (const guint8 *row,
        guint         depth,
        guint         index)
{
  switch (depth)
    {
    case 1:
      /* SANE's 1-bit samples, like PBM: a set bit is black (no light). */
      return (row[index >> 3] & (0x80 >> (index & 7))) ? 0 : 255;
    case 16:
      /* 16-bit samples come in the machine's byte order. */
      return ((const guint16 *) row)[index] >> 8;
    case 8:
    default:
      return row[index];
    }
}

/* Copies packed rows (1 or 8 bits, MSB first) into a PIX of the same depth. Leptonica keeps
 * pixels in native 32-bit words with the first pixel in the most significant byte, so the rows
 * are copied bytewise and the words swapped once on little-endian machines. Leptonica's 1 bpp
 * uses 1 = black, the same as SANE's 1-bit frames, so no inversion is needed. */
static PIX *
pix_from_packed (const Frame *f,
                 guint        depth)
{
  guint w = f->params.pixels_per_line;
  guint h = f->lines;
  gsize row_bytes = depth == 1 ? (w + 7) / 8 : w;
  PIX *pix = pixCreate (w, h, depth);
  l_uint32 *data = pixGetData (pix);
  l_int32 wpl = pixGetWpl (pix);

  for (guint y = 0; y < h; y++)
    memcpy (data + (gsize) y * wpl, f->data->data + (gsize) y * f->params.bytes_per_line,
            row_bytes);

  pixEndianByteSwap (pix);
  if (depth == 1)
    pixSetPadBits (pix, 0);
  return pix;
}

static PIX *
pix_from_gray16 (const Frame *f)
{
  guint w = f->params.pixels_per_line;
  guint h = f->lines;
  PIX *pix = pixCreate (w, h, 8);
  l_uint32 *data = pixGetData (pix);
  l_int32 wpl = pixGetWpl (pix);

  for (guint y = 0; y < h; y++)
    {
      const guint8 *row = f->data->data + (gsize) y * f->params.bytes_per_line;
      l_uint32 *line = data + (gsize) y * wpl;

      for (guint x = 0; x < w; x++)
        SET_DATA_BYTE (line, x, sample (row, 16, x));
    }

  return pix;
}

/* @frames: one RGB frame, or three single-channel frames indexed by channel (0 R, 1 G, 2 B). */
static PIX *
pix_from_color (Frame    *frames,
                gboolean  interleaved)
{
  const Frame *f0 = &frames[0];
  guint w = f0->params.pixels_per_line;
  guint h = f0->lines;
  guint depth = f0->params.depth;
  PIX *pix;
  l_uint32 *data;
  l_int32 wpl;

  if (!interleaved)
    for (guint c = 1; c < 3; c++)
      h = MIN (h, frames[c].lines);

  pix = pixCreate (w, h, 32);
  data = pixGetData (pix);
  wpl = pixGetWpl (pix);

  for (guint y = 0; y < h; y++)
    {
      l_uint32 *line = data + (gsize) y * wpl;

      if (interleaved)
        {
          const guint8 *row = f0->data->data + (gsize) y * f0->params.bytes_per_line;

          for (guint x = 0; x < w; x++)
            composeRGBPixel (sample (row, depth, 3 * x), sample (row, depth, 3 * x + 1),
                             sample (row, depth, 3 * x + 2), &line[x]);
        }
      else
        {
          const guint8 *r = frames[0].data->data + (gsize) y * frames[0].params.bytes_per_line;
          const guint8 *g = frames[1].data->data + (gsize) y * frames[1].params.bytes_per_line;
          const guint8 *b = frames[2].data->data + (gsize) y * frames[2].params.bytes_per_line;

          for (guint x = 0; x < w; x++)
            composeRGBPixel (sample (r, depth, x), sample (g, depth, x), sample (b, depth, x),
                             &line[x]);
        }
    }

  return pix;
}

static gboolean
check_params (Device                *dev,
              const SANE_Parameters *p,
              GError               **error)
{
  gboolean format_ok = p->format == SANE_FRAME_GRAY || p->format == SANE_FRAME_RGB
                       || p->format == SANE_FRAME_RED || p->format == SANE_FRAME_GREEN
                       || p->format == SANE_FRAME_BLUE;

  /* Parameters no device sends: the net backend returns GOOD and whatever it has when the
   * connection to saned is gone. That is a communication failure, not a format to refuse.
   * (Formats 10…: SANE 2's JPEG, G3 … drafts, which backends do send.) */
  if ((p->format < SANE_FRAME_GRAY || (p->format > SANE_FRAME_BLUE && p->format < 10)
       || p->format > 32)
      || p->depth <= 0 || p->depth > 64)
    return _pe_sane_set_error (error, SANE_STATUS_IO_ERROR, dev->name);

  if (!format_ok || (p->depth != 1 && p->depth != 8 && p->depth != 16))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("Scanner “%s” sends images in a format that cannot be read (frame type "
                     "%d, %d bits): choose the mode Color, Gray or Lineart."),
                   dev->name, p->format, p->depth);
      return FALSE;
    }

  return TRUE;
}

/* The frame as a PNM file, when its rows are already a PNM body: 8-bit grey (PGM), 8-bit RGB
 * (PPM), 1-bit grey (PBM: SANE's 1 is black, like PBM's) without padding beyond the byte.
 * The store then writes these bytes as they are instead of encoding the PIX, which costs more
 * than all the rest of recording a page (Leptonica's PNM writer goes pixel by pixel: ~130 ms
 * for A4 at 300 dpi). NULL for other frames (16 bit, three-pass), which go through the PIX. */
static GBytes *
pnm_from_frame (const Frame *f)
{
  const SANE_Parameters *p = &f->params;
  g_autofree char *header = NULL;
  gsize row;
  gsize header_len;
  gsize body_len;
  guint8 *data;

  if (p->format == SANE_FRAME_GRAY && p->depth == 8)
    {
      row = p->pixels_per_line;
      header = g_strdup_printf ("P5\n%d %u\n255\n", p->pixels_per_line, f->lines);
    }
  else if (p->format == SANE_FRAME_RGB && p->depth == 8)
    {
      row = 3 * (gsize) p->pixels_per_line;
      header = g_strdup_printf ("P6\n%d %u\n255\n", p->pixels_per_line, f->lines);
    }
  else if (p->format == SANE_FRAME_GRAY && p->depth == 1)
    {
      row = ((gsize) p->pixels_per_line + 7) / 8;
      header = g_strdup_printf ("P4\n%d %u\n", p->pixels_per_line, f->lines);
    }
  else
    return NULL;

  if ((gsize) p->bytes_per_line != row || f->lines == 0)
    return NULL;

  header_len = strlen (header);
  body_len = (gsize) f->lines * row;
  data = g_malloc (header_len + body_len);
  memcpy (data, header, header_len);
  memcpy (data + header_len, f->data->data, body_len);
  return g_bytes_new_take (data, header_len + body_len);
}

/* Reads one image (all frames) after a successful sane_start(). *@status_out gets the SANE
 * status that ended it, so the caller can tell a feeder running empty from a real fault. */
static PIX *
read_image (Device         *dev,
            ProgressState  *ps,
            SANE_Status    *status_out,
            gsize          *bytes_out,
            GBytes        **raw_out,
            GError        **error)
{
  Frame frames[3] = { { { 0 } } };
  gboolean have[3] = { FALSE, FALSE, FALSE };
  gboolean interleaved = TRUE;
  guint n_frames = 1;
  PIX *pix = NULL;

  *status_out = SANE_STATUS_GOOD;
  *bytes_out = 0;

  for (guint frame_index = 0;; frame_index++)
    {
      SANE_Parameters params = { 0 };
      SANE_Status status;
      Frame frame = { { 0 } };
      guint slot = 0;

      if (frame_index > 0)
        {
          /* Three-pass scanners deliver each colour after its own sane_start(). */
          status = pe_frame_source_start (dev->src);
          if (status != SANE_STATUS_GOOD)
            {
              *status_out = status;
              _pe_sane_set_error (error, status, dev->name);
              goto out;
            }
        }

      status = pe_frame_source_get_parameters (dev->src, &params);
      /* sane_start() has just accepted the settings, so "unsupported" or "invalid" here means
       * the device is not answering properly: the net backend says so when the connection
       * to saned has dropped. */
      if (status == SANE_STATUS_UNSUPPORTED || status == SANE_STATUS_INVAL)
        status = SANE_STATUS_IO_ERROR;
      if (status != SANE_STATUS_GOOD)
        {
          *status_out = status;
          _pe_sane_set_error (error, status, dev->name);
          goto out;
        }
      if (!check_params (dev, &params, error))
        {
          *status_out = SANE_STATUS_UNSUPPORTED;
          goto out;
        }

      if (params.format == SANE_FRAME_RED || params.format == SANE_FRAME_GREEN
          || params.format == SANE_FRAME_BLUE)
        {
          interleaved = FALSE;
          n_frames = 3;
          slot = params.format - SANE_FRAME_RED;
        }

      frame.params = params;
      status = read_frame (dev, &frame, ps, frame_index, n_frames, error);
      *bytes_out += frame.data != NULL ? frame.data->len : 0;
      if (status != SANE_STATUS_GOOD)
        {
          *status_out = status;
          if (error != NULL && *error == NULL)
            _pe_sane_set_error (error, status, dev->name);
          frame_clear (&frame);
          goto out;
        }

      frame_clear (&frames[slot]);
      frames[slot] = frame;
      have[slot] = TRUE;

      if (params.last_frame || frame_index >= 2)
        break;
    }

  if (frames[0].lines == 0 && interleaved)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Scanner “%s” sent no image data: check the scanner, then try again."),
                   dev->name);
      *status_out = SANE_STATUS_IO_ERROR;
      goto out;
    }

  if (!interleaved)
    {
      if (!have[0] || !have[1] || !have[2]
          || frames[1].params.pixels_per_line != frames[0].params.pixels_per_line
          || frames[2].params.pixels_per_line != frames[0].params.pixels_per_line
          || frames[1].params.depth != frames[0].params.depth
          || frames[2].params.depth != frames[0].params.depth)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                       _("Scanner “%s” sent incomplete colour passes: check the scanner, then "
                         "try again."), dev->name);
          *status_out = SANE_STATUS_IO_ERROR;
          goto out;
        }
      pix = pix_from_color (frames, FALSE);
    }
  else if (frames[0].params.format == SANE_FRAME_RGB)
    pix = pix_from_color (frames, TRUE);
  else if (frames[0].params.depth == 16)
    pix = pix_from_gray16 (&frames[0]);
  else
    pix = pix_from_packed (&frames[0], frames[0].params.depth);

  if (interleaved)
    *raw_out = pnm_from_frame (&frames[0]);

out:
  for (guint i = 0; i < 3; i++)
    frame_clear (&frames[i]);
  return pix;
}

/* ---------------------------------------------------------------------------------------- */
/* SANE thread: the scan job                                                                 */

static gboolean
apply_options (Device   *dev,
               ScanJob  *job,
               GError  **error)
{
  /* Source first: it may change which modes and resolutions exist; then mode (it changes
   * depth and more), resolution, and the caller's own options last so they can refine. */
  if (job->source != NULL
      && !set_choice (dev, SANE_NAME_SCAN_SOURCE, source_patterns,
                      G_N_ELEMENTS (source_patterns), job->source, error))
    return FALSE;

  if (job->mode != NULL
      && !set_choice (dev, SANE_NAME_SCAN_MODE, mode_patterns,
                      G_N_ELEMENTS (mode_patterns), job->mode, error))
    return FALSE;

  if (job->resolution > 0 && !set_resolution (dev, job->resolution, error))
    return FALSE;

  /* After the resolution: a scan area in pixels depends on it. */
  if (job->page_size != NULL && !set_page_size (dev, job->page_size, error))
    return FALSE;

  for (guint i = 0; job->soft_options != NULL && job->soft_options[i] != NULL; i++)
    if (!set_soft_option_pair (dev, job->soft_options[i], error))
      return FALSE;

  for (guint i = 0; job->options != NULL && job->options[i] != NULL; i++)
    if (!set_option_pair (dev, job->options[i], error))
      return FALSE;

  return TRUE;
}

static gboolean
deliver_page (PeScanner  *self,
              ScanJob    *job,
              Device     *dev,
              PIX        *pix,
              GBytes     *raw_pnm,
              guint       sheet,
              gboolean    back_side,
              gint64      read_end,
              GError    **error)
{
  PeAcquiredPage page = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  page.pix = pix;
  page.original = raw_pnm;
  page.original_ext = raw_pnm != NULL ? "pnm" : NULL;
  page.source = g_strdup (dev->name);
  page.sheet = sheet;
  page.back_side = back_side;
  page.read_end_usec = read_end;

  ok = job->page_func (&page, job->user_data, &local_error);
  pe_acquired_page_clear (&page);

  if (!ok)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           _("Scanning was stopped."));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  job->delivered++;
  g_atomic_int_set (&self->pages_scanned, job->delivered);
  return TRUE;
}

static gboolean
run_scan (PeScanner     *self,
          ScanJob       *job,
          Device        *dev,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *source = NULL;
  const char *kind;
  gboolean feeder;
  gboolean duplex;
  guint xres = 0, yres = 0;
  guint limit;
  guint page = 0;
  SANE_Int count = 0;
  SANE_Status alive;

  /* A device that went away since it was opened (unplugged, network down) fails here with
   * its own status; otherwise every option would just look absent. */
  alive = pe_frame_source_control_option (dev->src, 0, SANE_ACTION_GET_VALUE, &count, NULL);
  if (alive != SANE_STATUS_GOOD)
    return _pe_sane_set_error (error, alive, dev->name);

  remember_or_restore_defaults (dev);

  if (!apply_options (dev, job, error))
    return FALSE;

  source = get_option_text (dev, SANE_NAME_SCAN_SOURCE);
  kind = source != NULL ? classify_choice (source, source_patterns,
                                           G_N_ELEMENTS (source_patterns)) : NULL;
  feeder = g_strcmp0 (kind, "adf") == 0 || g_strcmp0 (kind, "duplex") == 0;
  duplex = g_strcmp0 (kind, "duplex") == 0;
  get_resolution (dev, &xres, &yres);

  /* A flatbed has one page to give unless the caller says how many (max_pages, or a sheet
   * function that feeds recorded sheets); a feeder runs until it reports NO_DOCS. A backs
   * pass runs until the feeder is empty too, so that a sheet too many is scanned and kept
   * rather than left unnoticed in the feeder. */
  if (job->max_pages > 0)
    limit = job->max_pages;
  else if (feeder || job->sheet_func != NULL || job->backs_of > 0)
    limit = G_MAXUINT;
  else
    limit = 1;

  if (job->backs_of > 0 && duplex)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scanner “%s” is set to scan both sides already: scan the backs of a "
                     "manual duplex run with the source “adf”."), dev->name);
      return FALSE;
    }

  while (page < limit)
    {
      ProgressState ps = { self, job, page + 1, -2.0, 0 };   /* nothing reported yet */
      g_autoptr(GError) read_error = NULL;
      SANE_Status status;
      PIX *pix;
      guint sheet;
      gboolean back_side;
      gboolean new_sheet;
      gsize bytes = 0;
      g_autoptr(GBytes) raw = NULL;

      if (job->backs_of > 0)
        {
          /* Sheet 0: a back beyond the fronts pass's sheets, kept but not paired. */
          sheet = pe_duplex_back_sheet (job->backs_of, page);
          back_side = TRUE;
          new_sheet = TRUE;
        }
      else
        {
          pe_duplex_sheet_for_page (page, duplex, &sheet, &back_side);
          new_sheet = !back_side;
        }

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Scanning was cancelled; the %u page scanned so far is kept.",
                                    "Scanning was cancelled; the %u pages scanned so far are "
                                    "kept.", job->delivered),
                       job->delivered);
          return FALSE;
        }

      if (job->sheet_func != NULL && new_sheet)
        {
          /* The sheet function counts sheets in feed order of this pass. */
          g_auto(GStrv) sheet_options = job->sheet_func (job->backs_of > 0 ? page + 1 : sheet,
                                                         job->user_data);

          if (sheet_options == NULL)
            break;

          if (sheet_options[0] != NULL)
            {
              if (page > 0)
                pe_frame_source_cancel (dev->src);
              for (guint i = 0; sheet_options[i] != NULL; i++)
                if (!set_option_pair (dev, sheet_options[i], error))
                  return FALSE;
              get_resolution (dev, &xres, &yres);
            }
        }

      status = pe_frame_source_start (dev->src);
      if (status == SANE_STATUS_NO_DOCS || (status == SANE_STATUS_EOF && page > 0))
        {
          if (page == 0)
            return _pe_sane_set_error (error, SANE_STATUS_NO_DOCS, dev->name);
          break;
        }
      if (status != SANE_STATUS_GOOD)
        return _pe_sane_set_error (error, status, dev->name);

      progress_report (&ps, -1.0);
      pix = read_image (dev, &ps, &status, &bytes, &raw, &read_error);
      if (pix == NULL)
        {
          /* Some feeders only notice the empty tray on the first read. */
          if (status == SANE_STATUS_NO_DOCS && bytes == 0 && page > 0)
            break;
          if (status == SANE_STATUS_NO_DOCS && bytes > 0)
            {
              g_set_error (error, PE_ERROR, PE_ERROR_NO_DOCS,
                           _("The sheet was not fed completely: check the feeder, then "
                             "continue the batch."));
              return FALSE;
            }
          g_propagate_error (error, g_steal_pointer (&read_error));
          return FALSE;
        }

      pixSetResolution (pix, xres, yres);
      progress_report (&ps, 1.0);

      if (!deliver_page (self, job, dev, pix, g_steal_pointer (&raw), sheet, back_side,
                         ps.read_end, error))
        return FALSE;

      page++;
    }

  if (job->backs_of > 0 && page != job->backs_of)
    return pe_duplex_set_mismatch_error (error, job->backs_of, page);

  return TRUE;
}

static void
scan_task (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  PeScanner *self = source_object;
  ScanJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PeFrameSource) src = NULL;
  Device dev = { self->device_name, NULL };
  SANE_Status status = SANE_STATUS_GOOD;

  if (!_pe_sane_worker_check_init (&error))
    goto out;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto out;

  if (self->frame_source != NULL)
    src = g_object_ref (self->frame_source);
  else
    {
      gboolean network = g_str_has_prefix (self->device_name, "net:");

      src = (PeFrameSource *) pe_sane_frame_source_open (self->device_name, &status);
      /* A net backend connection that died (saned restarted) fails until SANE reconnects. */
      if (src == NULL && network && status == SANE_STATUS_IO_ERROR)
        {
          _pe_sane_worker_reset_network ();
          if (_pe_sane_worker_check_init (&error))
            src = (PeFrameSource *) pe_sane_frame_source_open (self->device_name, &status);
          else
            goto out;
        }
      if (network)
        _pe_sane_worker_note_network ();
    }
  if (src == NULL)
    {
      /* dll answers INVAL for a name no backend knows; backends answer INVAL or IO_ERROR
       * for a device that is not (or no longer) there. */
      if (status == SANE_STATUS_INVAL || status == SANE_STATUS_IO_ERROR)
        g_set_error (&error, PE_ERROR, PE_ERROR_NOT_FOUND,
                     _("Scanner “%s” was not found. Check that it is switched on and "
                       "connected, then refresh the device list."), self->device_name);
      else
        _pe_sane_set_error (&error, status, self->device_name);
      goto out;
    }

  dev.src = src;
  run_scan (self, job, &dev, cancellable, &error);

  /* Closed here, on the SANE thread, before the caller hears that the job is done. */
  pe_frame_source_cancel (src);
  g_clear_object (&src);

out:
  g_atomic_int_set (&self->busy, 0);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, job->delivered);
}

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                */

static void
pe_scanner_finalize (GObject *object)
{
  PeScanner *self = (PeScanner *)object;

  g_clear_pointer (&self->device_name, g_free);
  g_clear_object (&self->frame_source);

  G_OBJECT_CLASS (pe_scanner_parent_class)->finalize (object);
}

static void
pe_scanner_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PeScanner *self = PE_SCANNER (object);

  switch (prop_id)
    {
    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_scanner_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PeScanner *self = PE_SCANNER (object);

  switch (prop_id)
    {
    case PROP_DEVICE_NAME:
      self->device_name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_scanner_class_init (PeScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_scanner_finalize;
  object_class->get_property = pe_scanner_get_property;
  object_class->set_property = pe_scanner_set_property;

  properties [PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PeScanner::progress:
   * @page: 1-based page being read
   * @fraction: 0…1 of that page read, -1 when not known (start of page, hand scanner)
   */
  signals [PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_DOUBLE);
}

static void
pe_scanner_init (PeScanner *self)
{
}

PeScanner *
pe_scanner_new (const char *device_name)
{
  g_return_val_if_fail (device_name != NULL && *device_name != '\0', NULL);

  return g_object_new (PE_TYPE_SCANNER, "device-name", device_name, NULL);
}

PeScanner *
pe_scanner_new_for_source (const char    *name,
                           PeFrameSource *source)
{
  PeScanner *self;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  g_return_val_if_fail (PE_IS_FRAME_SOURCE (source), NULL);

  self = g_object_new (PE_TYPE_SCANNER, "device-name", name, NULL);
  self->frame_source = g_object_ref (source);
  return self;
}

const char *
pe_scanner_get_device_name (PeScanner *self)
{
  g_return_val_if_fail (PE_IS_SCANNER (self), NULL);

  return self->device_name;
}

guint
pe_scanner_get_pages_scanned (PeScanner *self)
{
  g_return_val_if_fail (PE_IS_SCANNER (self), 0);

  return (guint) g_atomic_int_get (&self->pages_scanned);
}

void
pe_scanner_scan_async (PeScanner           *self,
                       const PeScanOptions *options,
                       PeSheetFunc          sheet_func,
                       PePageFunc           page_func,
                       gpointer             user_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             callback_data)
{
  g_autoptr(GTask) task = NULL;
  ScanJob *job;

  g_return_if_fail (PE_IS_SCANNER (self));
  g_return_if_fail (page_func != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (ScanJob, 1);
  if (options != NULL)
    {
      job->source = g_strdup (options->source);
      job->resolution = options->resolution;
      job->mode = g_strdup (options->mode);
      job->options = g_strdupv ((char **) options->options);
      job->max_pages = options->max_pages;
      job->page_size = g_strdup (options->page_size);
      job->soft_options = g_strdupv ((char **) options->soft_options);
      job->backs_of = options->backs_of;
    }
  job->sheet_func = sheet_func;
  job->page_func = page_func;
  job->user_data = user_data;
  job->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, cancellable, callback, callback_data);
  g_task_set_source_tag (task, pe_scanner_scan_async);
  g_task_set_task_data (task, job, scan_job_free);
  /* The pages delivered before a cancel are the caller's; finish must still report them. */
  g_task_set_check_cancellable (task, FALSE);

  if (!g_atomic_int_compare_and_exchange (&self->busy, 0, 1))
    {
      g_task_return_new_error (task, PE_ERROR, PE_ERROR_DEVICE_BUSY,
                               _("Scanner “%s” is already scanning: wait until it has "
                                 "finished, then start the next scan."), self->device_name);
      return;
    }

  g_atomic_int_set (&self->pages_scanned, 0);
  _pe_sane_worker_run_task (task, scan_task);
}

guint
pe_scanner_scan_finish (PeScanner     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  ScanJob *job;

  g_return_val_if_fail (PE_IS_SCANNER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pe_scanner_scan_async, 0);

  job = g_task_get_task_data (G_TASK (result));
  g_task_propagate_int (G_TASK (result), error);
  return job->delivered;
}

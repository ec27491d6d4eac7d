/* pe-scan-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Values are checked when the files are read, not when a scan starts: a clerk choosing a
 * profile at the scanner should never be the first to learn that its file has a typo.
 * Whether a device offers what a profile asks for can only be known at scan time; there the
 * profile's source, mode and resolution are matched like the CLI's, and brightness, contrast
 * and threshold are set only where the device has them (PeScanOptions.soft_options).
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "pe-clean-profile.h"
#include "pe-error.h"
#include "pe-scan-profile.h"

#define MAX_RESOLUTION 19200
#define MAX_PAGES      100000

struct _PeScanProfile
{
  GObject      parent_instance;

  char        *id;
  char        *name;
  char        *file;
  char        *source;
  gboolean     manual_duplex;
  guint        resolution;
  char        *mode;
  char        *page_size;
  guint        max_pages;
  char       **options;
  char       **soft_options;
  GHashTable  *values;         /* key → value as written */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (PeScanProfile, pe_scan_profile, G_TYPE_OBJECT)

static void
pe_scan_profile_finalize (GObject *object)
{
  PeScanProfile *self = (PeScanProfile *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->file);
  g_free (self->source);
  g_free (self->mode);
  g_free (self->page_size);
  g_strfreev (self->options);
  g_strfreev (self->soft_options);
  g_clear_pointer (&self->values, g_hash_table_unref);

  G_OBJECT_CLASS (pe_scan_profile_parent_class)->finalize (object);
}

static void
pe_scan_profile_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PeScanProfile *self = PE_SCAN_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_scan_profile_class_init (PeScanProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_scan_profile_finalize;
  object_class->get_property = pe_scan_profile_get_property;

  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pe_scan_profile_init (PeScanProfile *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* --- reading ----------------------------------------------------------------------------- */

static gboolean
set_bad_value (GError     **error,
               const char  *path,
               const char  *group,
               const char  *key,
               const char  *value,
               const char  *allowed)
{
  /* TRANSLATORS: file, profile id, key, value, what is allowed */
  g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
               _("Scan profile file %s, profile “%s”: %s=%s is not valid. Use %s, then try "
                 "again."), path, group, key, value, allowed);
  return FALSE;
}

static gboolean
parse_uint (const char *text,
            guint       min,
            guint       max,
            guint      *out)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_number (const char *text)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

static gboolean
id_is_valid (const char *id)
{
  if (*id == '\0')
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Lower-case, stripped text of @key, or NULL when the key is absent or empty. */
static char *
get_word (GKeyFile   *kf,
          const char *group,
          const char *key)
{
  g_autofree char *value = g_key_file_get_string (kf, group, key, NULL);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (*value == '\0')
    return NULL;
  return g_ascii_strdown (value, -1);
}

static PeScanProfile *
profile_from_group (GKeyFile    *kf,
                    const char  *path,
                    const char  *group,
                    GError     **error)
{
  g_autoptr(PeScanProfile) self = g_object_new (PE_TYPE_SCAN_PROFILE, NULL);
  g_autoptr(GPtrArray) soft = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) keys = NULL;
  g_autofree char *source = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *page_size = NULL;
  g_autofree char *text = NULL;
  static const char *const soft_keys[][2] = {
    { "Brightness", "brightness" },
    { "Contrast", "contrast" },
    { "Threshold", "threshold" },
  };

  if (!id_is_valid (group))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scan profile file %s: the profile id “%s” may only contain letters, "
                     "digits, “-”, “_” and “.”. Rename the group, then try again."),
                   path, group);
      return NULL;
    }

  self->id = g_strdup (group);
  self->file = g_strdup (path);

  keys = g_key_file_get_keys (kf, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (strchr (keys[i], '[') == NULL)
      g_hash_table_insert (self->values, g_strdup (keys[i]),
                           g_key_file_get_value (kf, group, keys[i], NULL));

  self->name = g_key_file_get_locale_string (kf, group, "Name", NULL, NULL);
  if (self->name == NULL || *g_strstrip (self->name) == '\0')
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scan profile file %s, profile “%s” has no name. Add a line “Name=…”, "
                     "then try again."), path, group);
      return NULL;
    }

  if ((source = get_word (kf, group, "Source")) != NULL)
    {
      if (g_str_equal (source, "manual-duplex"))
        {
          self->manual_duplex = TRUE;
        }
      else if (!g_str_equal (source, "flatbed") && !g_str_equal (source, "adf")
               && !g_str_equal (source, "duplex"))
        return set_bad_value (error, path, group, "Source", source,
                              _("flatbed, adf, duplex or manual-duplex")), NULL;
      self->source = g_steal_pointer (&source);
    }

  if ((text = get_word (kf, group, "Resolution")) != NULL)
    {
      if (!parse_uint (text, 1, MAX_RESOLUTION, &self->resolution))
        return set_bad_value (error, path, group, "Resolution", text,
                              _("a resolution in dpi from 1 to 19200")), NULL;
      g_clear_pointer (&text, g_free);
    }

  if ((mode = get_word (kf, group, "Mode")) != NULL)
    {
      if (g_str_equal (mode, "colour") || g_str_equal (mode, "grey"))
        {
          const char *normal = mode[0] == 'c' ? "color" : "gray";

          g_free (mode);
          mode = g_strdup (normal);
        }
      if (!g_str_equal (mode, "color") && !g_str_equal (mode, "gray")
          && !g_str_equal (mode, "lineart"))
        return set_bad_value (error, path, group, "Mode", mode,
                              _("color, gray or lineart")), NULL;
      self->mode = g_steal_pointer (&mode);
    }

  if ((page_size = get_word (kf, group, "PageSize")) != NULL)
    {
      if (!pe_scan_page_size_lookup (page_size, NULL, NULL))
        return set_bad_value (error, path, group, "PageSize", page_size,
                              _("a3, a4, a5, a6, b5, letter, legal or auto")), NULL;
      self->page_size = g_steal_pointer (&page_size);
    }

  if ((text = get_word (kf, group, "MaxPages")) != NULL)
    {
      if (!parse_uint (text, 0, MAX_PAGES, &self->max_pages))
        return set_bad_value (error, path, group, "MaxPages", text,
                              _("a number of pages, 0 for all")), NULL;
      g_clear_pointer (&text, g_free);
    }

  for (guint i = 0; i < G_N_ELEMENTS (soft_keys); i++)
    {
      g_autofree char *v = get_word (kf, group, soft_keys[i][0]);

      if (v == NULL)
        continue;
      if (!parse_number (v))
        return set_bad_value (error, path, group, soft_keys[i][0], v,
                              _("a number (the scanner’s own scale)")), NULL;
      g_ptr_array_add (soft, g_strdup_printf ("%s=%s", soft_keys[i][1], v));
    }
  g_ptr_array_add (soft, NULL);
  self->soft_options = (char **) g_ptr_array_free (g_steal_pointer (&soft), FALSE);

  /* The cleanup's keys (Deskew, Binarize, ColorPolicy …) by the cleanup's own rules, so that
   * a value the cleanup would refuse is refused here, when the file is read. */
  for (const char *const *k = pe_clean_profile_get_keys (); *k != NULL; k++)
    {
      g_autofree char *v = g_key_file_get_value (kf, group, *k, NULL);
      const char *allowed = NULL;

      if (v != NULL && !pe_clean_profile_check (*k, v, &allowed))
        return set_bad_value (error, path, group, *k, g_strstrip (v), allowed), NULL;
    }

  self->options = g_key_file_get_string_list (kf, group, "Options", NULL, NULL);
  for (guint i = 0; self->options != NULL && self->options[i] != NULL; i++)
    {
      const char *opt = g_strstrip (self->options[i]);
      const char *eq = strchr (opt, '=');

      if (eq == NULL || eq == opt)
        return set_bad_value (error, path, group, "Options", opt,
                              _("name=value pairs separated by “;”, for example "
                                "“Options=depth=8;ald=yes”")), NULL;
    }

  return g_steal_pointer (&self);
}

char **
pe_scan_profile_get_search_path (void)
{
  const char *pkgdatadir = g_getenv ("PE_PKGDATADIR");
  const char *sysconfdir = g_getenv ("PE_SYSCONFDIR");
  char **paths = g_new0 (char *, 4);

  paths[0] = g_build_filename (pkgdatadir ? pkgdatadir : PKGDATADIR, "profiles.ini", NULL);
  paths[1] = g_build_filename (sysconfdir ? sysconfdir : "/etc", "posteingang", "profiles.ini",
                               NULL);
  paths[2] = g_build_filename (g_get_user_config_dir (), "posteingang", "profiles.ini", NULL);
  return paths;
}

GPtrArray *
pe_scan_profile_load_files (const char *const  *paths,
                            GError            **error)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) by_id = NULL;
  GPtrArray *result;

  g_return_val_if_fail (paths != NULL, NULL);

  /* id → PeScanProfile, or no value (NULL) once a later file hid it */
  by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint f = 0; paths[f] != NULL; f++)
    {
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autoptr(GError) local_error = NULL;
      g_auto(GStrv) groups = NULL;

      if (!g_key_file_load_from_file (kf, paths[f], G_KEY_FILE_NONE, &local_error))
        {
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("The scan profile file %s cannot be read: %s. Correct or remove it, "
                         "then try again."), paths[f], local_error->message);
          return NULL;
        }

      groups = g_key_file_get_groups (kf, NULL);
      for (guint g = 0; groups[g] != NULL; g++)
        {
          g_autoptr(GError) hidden_error = NULL;
          PeScanProfile *profile;

          if (!g_ptr_array_find_with_equal_func (order, groups[g], g_str_equal, NULL))
            g_ptr_array_add (order, g_strdup (groups[g]));

          if (g_key_file_get_boolean (kf, groups[g], "Hidden", &hidden_error))
            {
              g_hash_table_remove (by_id, groups[g]);
              continue;
            }
          if (g_error_matches (hidden_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
            {
              g_autofree char *v = g_key_file_get_value (kf, groups[g], "Hidden", NULL);

              set_bad_value (error, paths[f], groups[g], "Hidden", v, _("true or false"));
              return NULL;
            }

          profile = profile_from_group (kf, paths[f], groups[g], error);
          if (profile == NULL)
            return NULL;
          g_hash_table_replace (by_id, g_strdup (groups[g]), profile);
        }
    }

  result = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < order->len; i++)
    {
      PeScanProfile *profile = g_hash_table_lookup (by_id, g_ptr_array_index (order, i));

      if (profile != NULL)
        g_ptr_array_add (result, g_object_ref (profile));
    }

  return result;
}

GPtrArray *
pe_scan_profile_load_all (GError **error)
{
  g_auto(GStrv) paths = pe_scan_profile_get_search_path ();

  return pe_scan_profile_load_files ((const char *const *) paths, error);
}

PeScanProfile *
pe_scan_profile_find (GPtrArray   *profiles,
                      const char  *id,
                      GError     **error)
{
  g_autoptr(GString) known = g_string_new (NULL);

  g_return_val_if_fail (profiles != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < profiles->len; i++)
    {
      PeScanProfile *profile = g_ptr_array_index (profiles, i);

      if (g_str_equal (profile->id, id))
        return g_object_ref (profile);
      if (known->len > 0)
        g_string_append (known, ", ");
      g_string_append (known, profile->id);
    }

  if (profiles->len == 0)
    {
      g_auto(GStrv) paths = pe_scan_profile_get_search_path ();
      g_autofree char *where = g_strjoinv (", ", paths);

      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("There is no scan profile “%s”: no profiles are defined. Add one to "
                     "one of these files: %s."), id, where);
    }
  else
    g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                 _("There is no scan profile “%s”. Choose one of: %s."), id, known->str);
  return NULL;
}

PeScanProfile *
pe_scan_profile_lookup (const char  *id,
                        GError     **error)
{
  g_autoptr(GPtrArray) profiles = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  profiles = pe_scan_profile_load_all (error);
  if (profiles == NULL)
    return NULL;
  return pe_scan_profile_find (profiles, id, error);
}

/* --- accessors --------------------------------------------------------------------------- */

const char *
pe_scan_profile_get_id (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->id;
}

const char *
pe_scan_profile_get_name (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->name;
}

const char *
pe_scan_profile_get_file (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->file;
}

const char *
pe_scan_profile_get_source (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->source;
}

gboolean
pe_scan_profile_is_manual_duplex (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), FALSE);
  return self->manual_duplex;
}

guint
pe_scan_profile_get_resolution (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), 0);
  return self->resolution;
}

const char *
pe_scan_profile_get_mode (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->mode;
}

const char *
pe_scan_profile_get_page_size (PeScanProfile *self)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  return self->page_size;
}

const char *
pe_scan_profile_get_value (PeScanProfile *self,
                           const char    *key)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->values, key);
}

const char *
pe_scan_profile_get_languages (PeScanProfile *self)
{
  return pe_scan_profile_get_value (self, "Languages");
}

const char *
pe_scan_profile_get_pdfa (PeScanProfile *self)
{
  return pe_scan_profile_get_value (self, "PdfA");
}

static const char *
lookup_value (const char *key,
              gpointer    user_data)
{
  return pe_scan_profile_get_value (user_data, key);
}

gboolean
pe_scan_profile_to_clean_params (PeScanProfile  *self,
                                 PeCleanParams  *params,
                                 GError        **error)
{
  g_return_val_if_fail (PE_IS_SCAN_PROFILE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pe_clean_params_from_lookup (params, lookup_value, self, error))
    {
      /* Checked when the file was read: only a profile changed since can get here. */
      g_prefix_error (error, _("Scan profile file %s, profile “%s”: "), self->file, self->id);
      return FALSE;
    }
  return TRUE;
}

const char *
pe_scan_profile_get_color_policy (PeScanProfile *self)
{
  return pe_scan_profile_get_value (self, "ColorPolicy");
}

void
pe_scan_profile_to_options (PeScanProfile *self,
                            PeScanOptions *options)
{
  g_return_if_fail (PE_IS_SCAN_PROFILE (self));
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->source = self->manual_duplex ? "adf" : self->source;
  options->resolution = self->resolution;
  options->mode = self->mode;
  options->page_size = self->page_size;
  options->max_pages = self->max_pages;
  options->options = (const char *const *) self->options;
  options->soft_options = (const char *const *) self->soft_options;
}

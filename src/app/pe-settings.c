/* pe-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-settings.h"

GSettings *
pe_settings_new (void)
{
  return g_settings_new (APP_ID);
}

char *
pe_settings_dup_outbox_dir (GSettings *settings)
{
  g_autofree char *dir = NULL;
  const char *documents;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  dir = g_settings_get_string (settings, "outbox-dir");
  if (dir[0] != '\0')
    return g_steal_pointer (&dir);

  /* Not the pipeline's "./outbox": a desktop app's working directory is arbitrary. The
   * Flatpak grants exactly this folder (xdg-documents/Posteingang). */
  documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  if (documents == NULL)
    documents = g_get_home_dir ();

  return g_build_filename (documents, "Posteingang", NULL);
}

PePdfaLevel
pe_settings_parse_pdfa_level (const char *level)
{
  if (g_strcmp0 (level, "1b") == 0)
    return PE_PDFA_1B;
  if (g_strcmp0 (level, "2u") == 0)
    return PE_PDFA_2U;
  if (g_strcmp0 (level, "3b") == 0)
    return PE_PDFA_3B;

  return PE_PDFA_2B;
}

PePdfaLevel
pe_settings_get_pdfa_level (GSettings *settings)
{
  g_autofree char *level = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), PE_PDFA_2B);

  level = g_settings_get_string (settings, "pdfa-level");

  return pe_settings_parse_pdfa_level (level);
}

void
pe_settings_apply_to_pipeline (GSettings  *settings,
                               PePipeline *pipeline)
{
  g_autofree char *languages = NULL;
  g_autofree char *outbox = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (PE_IS_PIPELINE (pipeline));

  languages = g_settings_get_string (settings, "languages");
  outbox = pe_settings_dup_outbox_dir (settings);

  pe_pipeline_set_languages (pipeline, languages);
  pe_pipeline_set_pdfa_level (pipeline, pe_settings_get_pdfa_level (settings));
  pe_pipeline_set_outbox_dir (pipeline, outbox);
}

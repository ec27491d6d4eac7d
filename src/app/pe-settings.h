/* pe-settings.h: the app's GSettings keys as the pipeline wants them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "pe-pipeline.h"

G_BEGIN_DECLS

GSettings   *pe_settings_new                (void);
/* The outbox folder; an empty key means Documents/Posteingang (see the schema). */
char        *pe_settings_dup_outbox_dir     (GSettings  *settings);
PePdfaLevel  pe_settings_get_pdfa_level     (GSettings  *settings);
/* "1b", "2b", "2u", "3b" (as in the schema and profiles.ini); anything else is PDF/A-2b. */
PePdfaLevel  pe_settings_parse_pdfa_level   (const char *level);
void         pe_settings_apply_to_pipeline  (GSettings  *settings,
                                             PePipeline *pipeline);

G_END_DECLS

/* pe-clean-profile.h: the cleanup parameters as scan-profile keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scan profile (data/profiles/profiles.ini, documented there) sets each cleanup step with a
 * key of its group. This module knows those keys and their values; it takes key lookups, not
 * a profile, so that it needs nothing of the acquire stage (which calls it to check a
 * profile's values when the file is read).
 */
#pragma once

#include <glib.h>

#include "pe-page-clean.h"

G_BEGIN_DECLS

/* The value of @key as written in the profile (untranslated, not stripped), or NULL. */
typedef const char * (*PeCleanKeyLookup) (const char *key,
                                          gpointer    user_data);

/* The cleanup's keys, NULL-terminated, in the order profiles.ini documents them. */
const char *const *pe_clean_profile_get_keys   (void);

/* TRUE when @value is valid for @key (case and surrounding spaces ignored; an empty value
 * counts as not set, and a key that is not one of pe_clean_profile_get_keys() is not the
 * cleanup's business). Otherwise FALSE and @allowed (if not NULL) is a translated phrase
 * saying what is valid ("true or false", "… from 0 to 0.1"), for a message naming the file,
 * profile and key. */
gboolean           pe_clean_profile_check      (const char        *key,
                                                const char        *value,
                                                const char       **allowed);

/* @params from pe_clean_params_init_default(), then each key that @lookup has a value for.
 * A bad value fails with PE_ERROR_INVALID naming key, value and what is allowed (@params is
 * then left at the defaults). */
gboolean           pe_clean_params_from_lookup (PeCleanParams     *params,
                                                PeCleanKeyLookup   lookup,
                                                gpointer           user_data,
                                                GError           **error);

G_END_DECLS

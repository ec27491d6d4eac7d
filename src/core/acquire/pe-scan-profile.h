/* pe-scan-profile.h: named scan settings shared by the app, the CLI and a system service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Profiles live in keyfiles (format: data/profiles/profiles.ini), read in this order, each
 * group of a later file replacing the group of the same id of an earlier one:
 *   PKGDATADIR/profiles.ini                      shipped (env PE_PKGDATADIR overrides the dir)
 *   /etc/posteingang/profiles.ini                the site's (env PE_SYSCONFDIR replaces /etc)
 *   $XDG_CONFIG_HOME/posteingang/profiles.ini    the user's
 * A group with Hidden=true removes that profile.
 */
#pragma once

#include <gio/gio.h>

#include "pe-clean-profile.h"
#include "pe-scanner.h"

G_BEGIN_DECLS

#define PE_TYPE_SCAN_PROFILE (pe_scan_profile_get_type ())
G_DECLARE_FINAL_TYPE (PeScanProfile, pe_scan_profile, PE, SCAN_PROFILE, GObject)

/* The files pe_scan_profile_load_all() reads, earliest first (missing ones are skipped). */
char          **pe_scan_profile_get_search_path  (void);
/* Blocking (small local files). Profiles (PeScanProfile *) in the order their ids first
 * appear; an empty array when none is defined. A damaged file or a bad value fails the whole
 * load with PE_ERROR_INVALID and a message naming file, profile and key. */
GPtrArray      *pe_scan_profile_load_all         (GError            **error);
GPtrArray      *pe_scan_profile_load_files       (const char *const  *paths,
                                                  GError            **error);
/* pe_scan_profile_load_all() and find @id; PE_ERROR_NOT_FOUND lists the known ids. */
PeScanProfile  *pe_scan_profile_lookup           (const char         *id,
                                                  GError            **error);
PeScanProfile  *pe_scan_profile_find             (GPtrArray          *profiles,
                                                  const char         *id,
                                                  GError            **error);

const char     *pe_scan_profile_get_id           (PeScanProfile      *self);
/* Name in the current locale (Name[de] …). */
const char     *pe_scan_profile_get_name         (PeScanProfile      *self);
/* The file whose group defined this profile. */
const char     *pe_scan_profile_get_file         (PeScanProfile      *self);
/* "flatbed", "adf", "duplex", "manual-duplex" or NULL (device default). */
const char     *pe_scan_profile_get_source       (PeScanProfile      *self);
gboolean        pe_scan_profile_is_manual_duplex (PeScanProfile      *self);
guint           pe_scan_profile_get_resolution   (PeScanProfile      *self);
const char     *pe_scan_profile_get_mode         (PeScanProfile      *self);
const char     *pe_scan_profile_get_page_size    (PeScanProfile      *self);
/* Kept for later stages as written: OCR languages ("deu+eng"), PDF/A level ("2b"),
 * colour policy (also read by pe_scan_profile_to_clean_params()). NULL when not set. */
const char     *pe_scan_profile_get_languages    (PeScanProfile      *self);
const char     *pe_scan_profile_get_pdfa         (PeScanProfile      *self);
const char     *pe_scan_profile_get_color_policy (PeScanProfile      *self);
/* Any key of the profile's group as written (untranslated), or NULL. */
const char     *pe_scan_profile_get_value        (PeScanProfile      *self,
                                                  const char         *key);

/* The page cleanup's parameters: pe_clean_params_init_default() with the profile's cleanup
 * keys applied (Deskew, Orientation, CropBorders, MaxBorder, PunchHoles, Despeckle,
 * DespeckleSize, NormalizeBackground, Binarize, ColorPolicy, ColorMinFraction,
 * BlankInkRatio, MaxSkew, MinSkew; see data/profiles/profiles.ini). They were checked when
 * the file was read, so this fails (PE_ERROR_INVALID) only for a profile object whose values
 * the cleanup refuses; @params then holds the defaults. */
gboolean        pe_scan_profile_to_clean_params  (PeScanProfile      *self,
                                                  PeCleanParams      *params,
                                                  GError            **error);

/* Fills @options from the profile; the strings point into @self, which must outlive them.
 * Manual duplex becomes source "adf": the caller runs the fronts pass, asks for the stack to
 * be turned over, then runs the backs pass with options->backs_of set to the sheet count. */
void            pe_scan_profile_to_options       (PeScanProfile      *self,
                                                  PeScanOptions      *options);

G_END_DECLS

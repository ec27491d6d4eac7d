/* test-scan-profile.c: scan profiles from keyfiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include <math.h>

#include "pe-error.h"
#include "pe-page-clean.h"
#include "pe-scan-profile.h"
#include "pe-test-common.h"

static char *
shipped_dir (void)
{
  return g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "profiles", NULL);
}

static char *
shipped_file (void)
{
  g_autofree char *dir = shipped_dir ();

  return g_build_filename (dir, "profiles.ini", NULL);
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static GPtrArray *
load_one (const char  *path,
          GError     **error)
{
  const char *paths[] = { path, NULL };

  return pe_scan_profile_load_files (paths, error);
}

static void
assert_ids (GPtrArray         *profiles,
            const char *const *ids)
{
  g_assert_cmpuint (profiles->len, ==, g_strv_length ((char **) ids));
  for (guint i = 0; ids[i] != NULL; i++)
    g_assert_cmpstr (pe_scan_profile_get_id (g_ptr_array_index (profiles, i)), ==, ids[i]);
}

static void
test_shipped (void)
{
  g_autofree char *path = shipped_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = load_one (path, &error);
  g_autoptr(PeScanProfile) post = NULL;
  g_autoptr(PeScanProfile) color = NULL;
  g_autoptr(PeScanProfile) archive = NULL;
  g_autoptr(PeScanProfile) manual = NULL;
  const char *const ids[] = { "post-duplex-grey", "color", "archive-400",
                              "post-manual-duplex", NULL };
  PeScanOptions so;

  g_assert_no_error (error);
  assert_ids (profiles, ids);

  post = pe_scan_profile_find (profiles, "post-duplex-grey", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pe_scan_profile_get_name (post), ==, "Mail – ADF duplex 300 dpi grey");
  g_assert_cmpstr (pe_scan_profile_get_source (post), ==, "duplex");
  g_assert_false (pe_scan_profile_is_manual_duplex (post));
  g_assert_cmpuint (pe_scan_profile_get_resolution (post), ==, 300);
  g_assert_cmpstr (pe_scan_profile_get_mode (post), ==, "gray");
  g_assert_cmpstr (pe_scan_profile_get_page_size (post), ==, "a4");
  g_assert_cmpstr (pe_scan_profile_get_languages (post), ==, "deu");
  g_assert_cmpstr (pe_scan_profile_get_pdfa (post), ==, "2b");
  /* The mail profiles leave the colour decision to the cleanup: bitonal text pages, colour
   * only where a page has some. */
  g_assert_cmpstr (pe_scan_profile_get_color_policy (post), ==, "auto");
  g_assert_cmpstr (pe_scan_profile_get_file (post), ==, path);

  pe_scan_profile_to_options (post, &so);
  g_assert_cmpstr (so.source, ==, "duplex");
  g_assert_cmpuint (so.resolution, ==, 300);
  g_assert_cmpstr (so.mode, ==, "gray");
  g_assert_cmpstr (so.page_size, ==, "a4");
  g_assert_null (so.options);
  g_assert_nonnull (so.soft_options);
  g_assert_null (so.soft_options[0]);
  g_assert_cmpuint (so.backs_of, ==, 0);

  color = pe_scan_profile_find (profiles, "color", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pe_scan_profile_get_mode (color), ==, "color");
  g_assert_cmpstr (pe_scan_profile_get_name (color), ==, "Colour");

  archive = pe_scan_profile_find (profiles, "archive-400", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_scan_profile_get_resolution (archive), ==, 400);
  g_assert_cmpstr (pe_scan_profile_get_page_size (archive), ==, "auto");

  /* Manual duplex scans each pass from the simplex feeder. */
  manual = pe_scan_profile_find (profiles, "post-manual-duplex", &error);
  g_assert_no_error (error);
  g_assert_true (pe_scan_profile_is_manual_duplex (manual));
  g_assert_cmpstr (pe_scan_profile_get_source (manual), ==, "manual-duplex");
  pe_scan_profile_to_options (manual, &so);
  g_assert_cmpstr (so.source, ==, "adf");
}

static void
test_translated_name (void)
{
  g_autofree char *path = shipped_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  const char *want[] = { "Post – ADF Duplex 300 dpi Graustufen", "Farbe", "Archiv 400 dpi" };
  g_autofree char *old = g_strdup (g_getenv ("LANGUAGE"));

  /* g_get_language_names() follows LANGUAGE before LC_ALL. */
  g_setenv ("LANGUAGE", "de_DE", TRUE);
  profiles = load_one (path, &error);
  if (old != NULL)
    g_setenv ("LANGUAGE", old, TRUE);
  else
    g_unsetenv ("LANGUAGE");

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (pe_scan_profile_get_name (g_ptr_array_index (profiles, i)), ==, want[i]);
}

static const char site_ini[] =
  "[color]\n"
  "Name=Site colour\n"
  "Source=flatbed\n"
  "Resolution=200\n"
  "Mode=Colour\n"
  "Brightness=10\n"
  "Threshold=128\n"
  "Options=depth=8; read-limit=yes ;test-picture=Color pattern\n"
  "ColorPolicy=keep\n"
  "Extra=kept as written\n"
  "\n"
  "[site-only]\n"
  "Name=Site only\n";

static const char user_ini[] =
  "[archive-400]\n"
  "Hidden=true\n"
  "\n"
  "[user-fast]\n"
  "Name=Fast\n"
  "Resolution=100\n";

static void
check_override (GPtrArray *profiles)
{
  const char *const ids[] = { "post-duplex-grey", "color", "post-manual-duplex", "site-only",
                              "user-fast", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PeScanProfile) color = NULL;
  g_autoptr(PeScanProfile) archive = NULL;
  PeScanOptions so;

  /* A replaced group keeps its place; a hidden one is gone; new ones follow. */
  assert_ids (profiles, ids);

  color = pe_scan_profile_find (profiles, "color", &error);
  g_assert_no_error (error);
  /* The whole group is replaced: nothing of the shipped one (Languages, PageSize) remains. */
  g_assert_cmpstr (pe_scan_profile_get_name (color), ==, "Site colour");
  g_assert_cmpuint (pe_scan_profile_get_resolution (color), ==, 200);
  g_assert_cmpstr (pe_scan_profile_get_mode (color), ==, "color");
  g_assert_null (pe_scan_profile_get_languages (color));
  g_assert_null (pe_scan_profile_get_page_size (color));
  g_assert_cmpstr (pe_scan_profile_get_value (color, "Extra"), ==, "kept as written");

  pe_scan_profile_to_options (color, &so);
  g_assert_cmpstr (so.source, ==, "flatbed");
  g_assert_cmpuint (g_strv_length ((char **) so.options), ==, 3);
  g_assert_cmpstr (so.options[0], ==, "depth=8");
  g_assert_cmpstr (so.options[1], ==, "read-limit=yes");
  g_assert_cmpstr (so.options[2], ==, "test-picture=Color pattern");
  g_assert_cmpuint (g_strv_length ((char **) so.soft_options), ==, 2);
  g_assert_cmpstr (so.soft_options[0], ==, "brightness=10");
  g_assert_cmpstr (so.soft_options[1], ==, "threshold=128");

  archive = pe_scan_profile_find (profiles, "archive-400", &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_assert_null (archive);
}

static void
test_override_files (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *shipped = shipped_file ();
  g_autofree char *site = write_file (dir, "site.ini", site_ini);
  g_autofree char *user = write_file (dir, "user.ini", user_ini);
  g_autofree char *missing = g_build_filename (dir, "missing.ini", NULL);
  const char *paths[] = { shipped, missing, site, user, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = pe_scan_profile_load_files (paths, &error);

  g_assert_no_error (error);
  check_override (profiles);
  pe_test_rmdir (dir);
}

/* The default search path: shipped dir, then /etc (PE_SYSCONFDIR here), then
 * $XDG_CONFIG_HOME, which G_TEST_OPTION_ISOLATE_DIRS points at a fresh directory. */
static void
test_override_search_path (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *shipped = shipped_dir ();
  g_autofree char *site_dir = g_build_filename (dir, "etc", NULL);
  g_autofree char *site = write_file (site_dir, "posteingang/profiles.ini", site_ini);
  g_autofree char *user = write_file (g_get_user_config_dir (), "posteingang/profiles.ini",
                                      user_ini);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(PeScanProfile) profile = NULL;
  g_auto(GStrv) path = NULL;

  g_setenv ("PE_PKGDATADIR", shipped, TRUE);
  g_setenv ("PE_SYSCONFDIR", site_dir, TRUE);

  path = pe_scan_profile_get_search_path ();
  g_assert_cmpuint (g_strv_length (path), ==, 3);
  g_assert_true (g_str_has_prefix (path[0], shipped));
  g_assert_cmpstr (path[1], ==, site);
  g_assert_cmpstr (path[2], ==, user);

  profiles = pe_scan_profile_load_all (&error);
  g_assert_no_error (error);
  check_override (profiles);

  profile = pe_scan_profile_lookup ("user-fast", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_scan_profile_get_resolution (profile), ==, 100);
  g_assert_cmpstr (pe_scan_profile_get_file (profile), ==, user);

  g_unsetenv ("PE_PKGDATADIR");
  g_unsetenv ("PE_SYSCONFDIR");
  pe_test_rmdir (dir);
}

static void
test_unknown (void)
{
  g_autofree char *path = shipped_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = load_one (path, &error);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_assert_no_error (error);
  g_assert_null (pe_scan_profile_find (profiles, "farbe", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "There is no scan profile “farbe”. Choose one of: post-duplex-grey, color, "
                   "archive-400, post-manual-duplex.");
  g_clear_error (&error);

  /* Nothing defined: the message says where profiles go. */
  g_assert_null (pe_scan_profile_find (none, "color", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "posteingang/profiles.ini"));
}

static void
test_bad_values (void)
{
  static const struct {
    const char *group;      /* the profile's lines */
    const char *must_mention;
  } cases[] = {
    { "Name=x\nSource=sideways\n", "Source=sideways" },
    { "Name=x\nSource=duplex\nResolution=fast\n", "Resolution=fast" },
    { "Name=x\nResolution=0\n", "Resolution=0" },
    { "Name=x\nResolution=30000\n", "Resolution=30000" },
    { "Name=x\nResolution=-300\n", "Resolution=-300" },
    { "Name=x\nMode=sepia\n", "Mode=sepia" },
    { "Name=x\nPageSize=a2\n", "PageSize=a2" },
    { "Name=x\nBrightness=bright\n", "Brightness=bright" },
    { "Name=x\nContrast=10%\n", "Contrast=10%" },
    { "Name=x\nThreshold=\n", NULL },   /* empty: as if not set, valid */
    { "Name=x\nOptions=depth\n", "Options=depth" },
    { "Name=x\nOptions=depth=8;=3\n", "Options==3" },
    { "Name=x\nMaxPages=many\n", "MaxPages=many" },
    { "Name=x\nHidden=perhaps\n", "Hidden=perhaps" },
    { "Source=adf\n", "no name" },
    { "Name=  \n", "no name" },
    /* The cleanup's keys, by the cleanup's rules. */
    { "Name=x\nDeskew=maybe\n", "Deskew=maybe" },
    { "Name=x\nOrientation=2\n", "Orientation=2" },
    { "Name=x\nCropBorders=on\n", "CropBorders=on" },
    { "Name=x\nPunchHoles=\n", NULL },   /* empty: as if not set */
    { "Name=x\nDespeckle=none\n", "Despeckle=none" },
    { "Name=x\nNormalizeBackground=tru\n", "NormalizeBackground=tru" },
    { "Name=x\nMaxSkew=90\n", "MaxSkew=90" },
    { "Name=x\nMinSkew=-1\n", "MinSkew=-1" },
    { "Name=x\nMaxBorder=25mm\n", "MaxBorder=25mm" },
    { "Name=x\nDespeckleSize=3\n", "DespeckleSize=3" },
    { "Name=x\nBinarize=niblack\n", "Binarize=niblack" },
    { "Name=x\nColorPolicy=sepia\n", "ColorPolicy=sepia" },
    { "Name=x\nColorMinFraction=5\n", "ColorMinFraction=5" },
    { "Name=x\nBlankInkRatio=0,0003\n", "BlankInkRatio=0,0003" },   /* decimal comma */
    { "Name=x\nBlankInkRatio=nan\n", "BlankInkRatio=nan" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = pe_test_mkdtemp ();
      g_autofree char *text = g_strdup_printf ("[ok]\nName=Fine\n\n[bad-%u]\n%s", i,
                                               cases[i].group);
      g_autofree char *path = write_file (dir, "profiles.ini", text);
      g_autofree char *group = g_strdup_printf ("“bad-%u”", i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) profiles = load_one (path, &error);

      if (cases[i].must_mention == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (profiles->len, ==, 2);
          pe_test_rmdir (dir);
          continue;
        }

      g_test_message ("%s", error ? error->message : "(no error)");
      g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
      g_assert_null (profiles);
      /* The message names the file, the profile and the offending line. */
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, group));
      g_assert_nonnull (strstr (error->message, cases[i].must_mention));
      pe_test_rmdir (dir);
    }
}

static void
assert_same_params (const PeCleanParams *a,
                    const PeCleanParams *b)
{
  /* Field by field: the struct's padding is not part of the value. */
  g_assert_true (a->deskew == b->deskew);
  g_assert_cmpfloat (a->max_skew_deg, ==, b->max_skew_deg);
  g_assert_cmpfloat (a->min_skew_deg, ==, b->min_skew_deg);
  g_assert_true (a->orientation == b->orientation);
  g_assert_true (a->crop_borders == b->crop_borders);
  g_assert_cmpfloat (a->max_border_mm, ==, b->max_border_mm);
  g_assert_true (a->remove_punch_holes == b->remove_punch_holes);
  g_assert_true (a->despeckle == b->despeckle);
  g_assert_cmpfloat (a->despeckle_max_mm, ==, b->despeckle_max_mm);
  g_assert_true (a->normalize_background == b->normalize_background);
  g_assert_cmpint (a->color, ==, b->color);
  g_assert_cmpfloat (a->color_min_fraction, ==, b->color_min_fraction);
  g_assert_cmpfloat (a->blank_ink_ratio, ==, b->blank_ink_ratio);
  g_assert_cmpint (a->binarize, ==, b->binarize);
}

/* Every cleanup key reaches PeCleanParams; unset keys keep the defaults. */
static void
test_clean_params (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_file (dir, "profiles.ini",
    "[plain]\nName=Plain\n\n"
    "[all]\nName=All\n"
    "Deskew=false\nMaxSkew=3.5\nMinSkew=0.2\nOrientation=no\nCropBorders=FALSE\n"
    "MaxBorder=12.5\nPunchHoles=0\nDespeckle=false\nDespeckleSize=0.4\n"
    "NormalizeBackground=false\nBinarize= Sauvola \nColorPolicy=bitonal\n"
    "ColorMinFraction=0.25\nBlankInkRatio=0.002\n\n"
    "[keep]\nName=k\nColorPolicy=keep\n\n"
    "[gray]\nName=g\nColorPolicy=gray\n\n"
    "[grey]\nName=g\nColorPolicy=Grey\nDeskew=yes\n\n"
    "[auto]\nName=a\nColorPolicy=auto\n\n"
    "[colour]\nName=c\nColorPolicy=colour\n\n"
    "[color]\nName=c\nColorPolicy=color\nBinarize=otsu\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = load_one (path, &error);
  PeCleanParams defaults, params;
  static const struct { const char *id; PeColorPolicy policy; } policies[] = {
    { "keep", PE_COLOR_COLOR }, { "gray", PE_COLOR_GREY }, { "grey", PE_COLOR_GREY },
    { "auto", PE_COLOR_AUTO }, { "colour", PE_COLOR_COLOR }, { "color", PE_COLOR_COLOR },
  };

  g_assert_no_error (error);
  pe_clean_params_init_default (&defaults);

  g_assert_true (pe_scan_profile_to_clean_params (pe_scan_profile_find (profiles, "plain", NULL),
                                                  &params, &error));
  g_assert_no_error (error);
  assert_same_params (&params, &defaults);

  g_assert_true (pe_scan_profile_to_clean_params (pe_scan_profile_find (profiles, "all", NULL),
                                                  &params, &error));
  g_assert_no_error (error);
  g_assert_false (params.deskew);
  g_assert_cmpfloat (params.max_skew_deg, ==, 3.5);
  g_assert_cmpfloat (params.min_skew_deg, ==, 0.2);
  g_assert_false (params.orientation);
  g_assert_false (params.crop_borders);
  g_assert_cmpfloat (params.max_border_mm, ==, 12.5);
  g_assert_false (params.remove_punch_holes);
  g_assert_false (params.despeckle);
  g_assert_cmpfloat (params.despeckle_max_mm, ==, 0.4);
  g_assert_false (params.normalize_background);
  g_assert_cmpint (params.binarize, ==, PE_BINARIZE_SAUVOLA);
  g_assert_cmpint (params.color, ==, PE_COLOR_BITONAL);
  g_assert_cmpfloat (params.color_min_fraction, ==, 0.25);
  g_assert_cmpfloat (params.blank_ink_ratio, ==, 0.002);

  /* The values profiles had before (keep, gray, auto) and the new ones. */
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      PeScanProfile *profile = pe_scan_profile_find (profiles, policies[i].id, NULL);

      g_assert_nonnull (profile);
      g_assert_true (pe_scan_profile_to_clean_params (profile, &params, &error));
      g_assert_no_error (error);
      g_assert_cmpint (params.color, ==, policies[i].policy);
      g_assert_true (params.deskew);
      g_assert_cmpint (params.binarize, ==, PE_BINARIZE_OTSU);
    }

  /* The shipped profiles all load into cleanup parameters. */
  {
    g_autofree char *shipped = shipped_file ();
    g_autoptr(GPtrArray) all = load_one (shipped, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < all->len; i++)
      {
        g_assert_true (pe_scan_profile_to_clean_params (g_ptr_array_index (all, i), &params,
                                                        &error));
        g_assert_no_error (error);
      }
    g_assert_true (pe_scan_profile_to_clean_params (pe_scan_profile_find (all, "color", NULL),
                                                    &params, NULL));
    g_assert_cmpint (params.color, ==, PE_COLOR_COLOR);
  }

  pe_test_rmdir (dir);
}

/* The cleanup follows the profile: Deskew=false leaves a skewed page as it is, the default
 * straightens it. */
static void
test_clean_params_deskew (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_file (dir, "profiles.ini",
                                      "[straighten]\nName=s\n\n"
                                      "[as-scanned]\nName=a\nDeskew=false\n");
  g_autofree char *page_path = g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "sample",
                                                 "pages", "p0007.png", NULL);
  g_autoptr(PIX) page = pixRead (page_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = load_one (path, &error);
  const char *const ids[] = { "straighten", "as-scanned" };
  double skew_in;

  g_assert_no_error (error);
  g_assert_nonnull (page);
  if (pixGetXRes (page) == 0)
    pixSetResolution (page, 200, 200);
  /* The sample's degraded page is skewed by more than a degree. */
  skew_in = pe_clean_find_skew (page, 5.0, NULL);
  g_assert_cmpfloat (fabs (skew_in), >, 1.0);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      gboolean deskew = i == 0;
      PeCleanParams params;
      PeCleanReport report;
      g_autoptr(PIX) out = NULL;
      g_autoptr(PIX) out_grey = NULL;
      double skew_out;

      g_assert_true (pe_scan_profile_to_clean_params (pe_scan_profile_find (profiles, ids[i],
                                                                            NULL),
                                                      &params, &error));
      g_assert_no_error (error);
      g_assert_true (params.deskew == deskew);

      pe_clean_report_init (&report);
      out = pe_page_clean (page, &params, &report, &error);
      g_assert_no_error (error);
      g_assert_nonnull (out);
      out_grey = pe_clean_to_grey (out);
      skew_out = pe_clean_find_skew (out_grey, 5.0, NULL);
      g_test_message ("%s: skew in %.2f°, reported %.2f°, left in the page %.2f°", ids[i],
                      skew_in, report.skew_deg, skew_out);
      if (deskew)
        {
          g_assert_cmpfloat (fabs (report.skew_deg - skew_in), <=, 0.15);
          g_assert_cmpfloat (fabs (skew_out), <=, 0.15);
        }
      else
        {
          g_assert_cmpfloat (report.skew_deg, ==, 0.0);
          g_assert_cmpfloat (fabs (skew_out - skew_in), <=, 0.15);
        }
      pe_clean_report_clear (&report);
    }

  pe_test_rmdir (dir);
}

static void
test_bad_files (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *broken = write_file (dir, "broken.ini", "[a]\nName=x\nthis is no key file\n");
  g_autofree char *bad_id = write_file (dir, "bad-id.ini", "[Post Farbe]\nName=x\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = NULL;

  profiles = load_one (broken, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, broken));
  g_clear_error (&error);

  profiles = load_one (bad_id, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“Post Farbe”"));
  g_clear_error (&error);

  /* No file at all: no profiles, no error. */
  {
    g_autofree char *missing = g_build_filename (dir, "none.ini", NULL);

    profiles = load_one (missing, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (profiles->len, ==, 0);
  }

  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/acquire/profile/shipped", test_shipped);
  g_test_add_func ("/acquire/profile/translated-name", test_translated_name);
  g_test_add_func ("/acquire/profile/override-files", test_override_files);
  g_test_add_func ("/acquire/profile/override-search-path", test_override_search_path);
  g_test_add_func ("/acquire/profile/unknown", test_unknown);
  g_test_add_func ("/acquire/profile/bad-values", test_bad_values);
  g_test_add_func ("/acquire/profile/bad-files", test_bad_files);
  g_test_add_func ("/acquire/profile/clean-params", test_clean_params);
  g_test_add_func ("/acquire/profile/clean-params-deskew", test_clean_params_deskew);

  return g_test_run ();
}

/* pe-image-write.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why a PNM writer of our own: pixWriteMem() with IFF_PNM goes through stdio a byte at a time
 * and took 146 ms for a 300 dpi colour page and 125 ms for a grey one, on the thread that
 * records the pages as the scanner delivers them. Here whole words are turned into bytes in
 * memory: a few ms (bench/store/README.md).
 */
#include "config.h"

#include <string.h>

#include "pe-image-write.h"

static inline void
store_be32 (guint8   *p,
            guint32   word)
{
  word = GUINT32_TO_BE (word);
  memcpy (p, &word, 4);
}

/* One PIX line of @nbytes bytes, most significant byte of each word first. */
static void
line_to_bytes (guint8         *out,
               const l_uint32 *line,
               gsize           nbytes)
{
  gsize k = 0;

  for (; k + 4 <= nbytes; k += 4)
    store_be32 (out + k, line[k / 4]);
  if (k < nbytes)
    {
      guint8 last[4];

      store_be32 (last, line[k / 4]);
      memcpy (out + k, last, nbytes - k);
    }
}

guint8 *
pe_store_encode_pnm (PIX   *pix,
                     gsize *len)
{
  guint32 width, height, depth, wpl;
  g_autofree char *header = NULL;
  const l_uint32 *line;
  gsize header_len, rowbytes;
  guint8 *buf, *out;

  g_return_val_if_fail (pix != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  width = pixGetWidth (pix);
  height = pixGetHeight (pix);
  depth = pixGetDepth (pix);
  wpl = pixGetWpl (pix);
  if ((depth != 1 && depth != 8 && depth != 32) || pixGetColormap (pix) != NULL)
    return NULL;

  header = g_strdup_printf ("P%c\n%u %u\n%s", depth == 1 ? '4' : depth == 8 ? '5' : '6',
                            width, height, depth == 1 ? "" : "255\n");
  header_len = strlen (header);
  rowbytes = depth == 1 ? (width + 7) / 8 : depth == 8 ? width : 3 * (gsize) width;
  buf = g_try_malloc (header_len + rowbytes * height);
  if (buf == NULL)
    return NULL;
  memcpy (buf, header, header_len);

  out = buf + header_len;
  line = pixGetData (pix);
  for (guint32 y = 0; y < height; y++, line += wpl, out += rowbytes)
    {
      if (depth == 32)
        {
          for (guint32 j = 0; j < width; j++)
            {
              out[3 * j] = line[j] >> 24;
              out[3 * j + 1] = line[j] >> 16;
              out[3 * j + 2] = line[j] >> 8;
            }
        }
      else
        {
          line_to_bytes (out, line, rowbytes);
          /* The pad bits of the last byte, whatever the PIX holds there, are 0. */
          if (depth == 1 && width % 8 != 0)
            out[rowbytes - 1] &= 0xff << (8 - width % 8);
        }
    }

  *len = header_len + rowbytes * height;
  return buf;
}

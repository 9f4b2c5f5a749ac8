/**
 * The city map's basemap, all local (SPEC §6: no public tile server is assumed). Nothing is configured by
 * default and the client draws an offline style from the site's own data. Optionally:
 *   MAP_PMTILES     a local .pmtiles archive (e.g. a Protomaps extract of the city), served with Range support
 *   MAP_ASSETS_DIR  the Protomaps basemap assets (fonts/ and sprites/ as published in protomaps/basemaps-assets)
 *   MAP_STYLE_URL   an operator's own MapLibre style URL (replaces the basemap; the site is drawn on top)
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { type Router } from 'express';
import type { Accounts } from '../auth/accounts';
import { requireUser } from './common';

export interface MapAssetsConfig {
  pmtilesFile: string | null;
  assetsDir: string | null;
  styleUrl: string | null;
}

export function mapConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MapAssetsConfig {
  const pmtilesFile = env.MAP_PMTILES ? resolve(env.MAP_PMTILES) : null;
  const assetsDir = env.MAP_ASSETS_DIR ? resolve(env.MAP_ASSETS_DIR) : null;
  if (pmtilesFile && !(existsSync(pmtilesFile) && statSync(pmtilesFile).isFile())) throw new Error(`MAP_PMTILES: no file at ${pmtilesFile}`);
  if (assetsDir && !(existsSync(assetsDir) && statSync(assetsDir).isDirectory())) throw new Error(`MAP_ASSETS_DIR: no directory at ${assetsDir}`);
  const styleUrl = env.MAP_STYLE_URL || null;
  if (styleUrl && !/^(https?:\/\/|\/)/.test(styleUrl)) throw new Error('MAP_STYLE_URL: an http(s) URL or a path on this server');
  return { pmtilesFile, assetsDir, styleUrl };
}

/** Origins the page must be allowed to fetch from for an operator's style (CSP connect-src / img-src). */
export function mapOrigins(cfg: MapAssetsConfig): string[] {
  if (!cfg.styleUrl || cfg.styleUrl.startsWith('/')) return [];
  return [new URL(cfg.styleUrl).origin];
}

export function mapRoutes(cfg: MapAssetsConfig, accounts: Accounts): Router {
  const r = express.Router();
  r.get('/api/v1/map/config', requireUser(accounts), (_req, res) => {
    res.json({
      pmtilesUrl: cfg.pmtilesFile ? '/map/basemap.pmtiles' : null,
      glyphs: cfg.assetsDir ? '/map/assets/fonts/{fontstack}/{range}.pbf' : null,
      sprite: cfg.assetsDir ? '/map/assets/sprites/v4' : null,
      styleUrl: cfg.styleUrl,
    });
  });
  if (cfg.pmtilesFile) {
    const file = cfg.pmtilesFile;
    // PMTiles readers fetch byte ranges; sendFile answers 206 to them
    r.get('/map/basemap.pmtiles', (_req, res) => res.sendFile(file, { acceptRanges: true, maxAge: '1d', headers: { 'Content-Type': 'application/vnd.pmtiles' } }));
  }
  if (cfg.assetsDir) r.use('/map/assets', express.static(cfg.assetsDir, { maxAge: '7d', fallthrough: false }));
  return r;
}

import { floorEpisode, runFloorEpisode } from './scenarios/uwb';
for (const seed of [1,2,3,4,5]) for (const tags of [['chest'],['belt'],['pendant'],['wrist'],['chest','belt']] as any) {
  const e = floorEpisode(seed, 'sitting on a low chair', tags); const a = runFloorEpisode(e);
  if (a.length) console.log('lowchair', seed, tags.join(), a[0].detail, (a[0].fixTs - e.onset) / 1000);
}
for (const seed of [1,2,3,4,5]) for (const tags of [['chest'],['belt']] as any) {
  const e = floorEpisode(seed, 'fall then crawling', tags); const a = runFloorEpisode(e);
  if (!a.length) console.log('crawl miss', seed, tags.join());
}

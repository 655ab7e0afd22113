export { readRatings, type RatingsLayout, type ReadRatingsOptions } from './ratings.js';
export { readMovies, ML100K_GENRES } from './movies.js';
export { readNcfFiles } from './ncf.js';

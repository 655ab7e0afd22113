/** The store: people's profiles and ratings, in a PGlite folder or on a PostgreSQL server. */
export type { Db, Queryable } from './db.js';
export { type FeedbackEvent, type FeedbackNotice, FEEDBACK_CHANNEL, feedbackSince, likesByProfile, parseFeedbackNotice } from './feedback.js';
export { MIGRATIONS, migrate } from './migrations.js';
export { isPostgresUrl, openDb } from './open.js';
export { authenticate, createProfile, type NewProfile } from './profiles.js';
export { deleteRating, listRatings, putRating, type RatingInput, type StoredRating } from './ratings.js';

-- The poster's tables were created by poster-store.ts itself (CREATE TABLE IF NOT EXISTS)
-- before they joined the drizzle schema: a lane that already posted has them, with the
-- same columns. IF NOT EXISTS lets such a lane upgrade and keep its rows (hand-edited
-- from drizzle-kit's output; test/workerd/edge-migrations-upgrade.test.ts).
CREATE TABLE IF NOT EXISTS `poster_nonce` (
	`id` integer PRIMARY KEY NOT NULL,
	`nonce` text NOT NULL,
	CONSTRAINT "poster_nonce_one_row" CHECK("poster_nonce"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `poster_posts` (
	`idx` integer PRIMARY KEY NOT NULL,
	`tx_hash` text NOT NULL,
	`posted_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `blocks_checkpoint_index` ON `blocks` (`checkpoint_index`);

CREATE TABLE `blocks` (
	`height` integer PRIMARY KEY NOT NULL,
	`encoded` blob NOT NULL,
	`state_root` blob NOT NULL,
	`tx_count` integer NOT NULL,
	`sealed_at_ms` integer NOT NULL,
	`checkpoint_index` integer
);
--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`idx` integer PRIMARY KEY NOT NULL,
	`first_height` integer NOT NULL,
	`last_height` integer NOT NULL,
	`payload` blob NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `head` (
	`id` integer PRIMARY KEY NOT NULL,
	`state_root` blob NOT NULL,
	`tree_version` integer NOT NULL,
	`last_receipt_hash` blob NOT NULL,
	`next_checkpoint_index` integer NOT NULL,
	`checkpointed_root` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `receipts` (
	`tx_hash` text PRIMARY KEY NOT NULL,
	`height` integer NOT NULL,
	`idx` integer NOT NULL,
	`signed` blob NOT NULL,
	`idempotency_key` text
);
--> statement-breakpoint
CREATE INDEX `receipts_idempotency` ON `receipts` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `receipts_height` ON `receipts` (`height`);--> statement-breakpoint
CREATE TABLE `smt_nodes` (
	`hash` blob PRIMARY KEY NOT NULL,
	`record` blob NOT NULL
);

ALTER TABLE "sweep_chunks" ADD COLUMN "combos" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "chunk_size" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "base_params" jsonb;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "mode" text DEFAULT 'portfolio' NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "merge_claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "code_version" text;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "data_hash" text;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "candle_count" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "error" text;
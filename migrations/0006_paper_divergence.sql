CREATE TABLE "paper_candles" (
	"account_id" bigint NOT NULL,
	"open_time" bigint NOT NULL,
	"open" double precision NOT NULL,
	"high" double precision NOT NULL,
	"low" double precision NOT NULL,
	"close" double precision NOT NULL,
	"volume" double precision NOT NULL,
	"used_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_divergences" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"day" bigint NOT NULL,
	"candle_time" bigint NOT NULL,
	"kind" text NOT NULL,
	"detail" text NOT NULL,
	"paper" jsonb,
	"replay" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "paper_daily" ADD COLUMN "divergences" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "paper_daily" ADD COLUMN "gap_bps" double precision;--> statement-breakpoint
ALTER TABLE "paper_candles" ADD CONSTRAINT "paper_candles_account_id_paper_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."paper_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_divergences" ADD CONSTRAINT "paper_divergences_account_id_paper_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."paper_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "paper_candles_account_time_uq" ON "paper_candles" USING btree ("account_id","open_time");--> statement-breakpoint
CREATE UNIQUE INDEX "paper_divergences_key_uq" ON "paper_divergences" USING btree ("account_id","day","candle_time","kind");--> statement-breakpoint
CREATE INDEX "paper_divergences_recent_idx" ON "paper_divergences" USING btree ("account_id","day");
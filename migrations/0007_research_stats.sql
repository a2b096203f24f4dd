CREATE TABLE "sweep_pbo_chunks" (
	"sweep_id" text NOT NULL,
	"range_index" integer NOT NULL,
	"split_from" integer NOT NULL,
	"split_to" integer NOT NULL,
	"partial" jsonb NOT NULL,
	"cpu_ms" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sweep_pbo_chunks_sweep_id_range_index_pk" PRIMARY KEY("sweep_id","range_index")
);
--> statement-breakpoint
ALTER TABLE "backtest_runs" ADD COLUMN "options" jsonb;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "options" jsonb;--> statement-breakpoint
ALTER TABLE "sweep_pbo_chunks" ADD CONSTRAINT "sweep_pbo_chunks_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;
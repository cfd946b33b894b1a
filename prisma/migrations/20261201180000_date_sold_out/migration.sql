-- AlterTable
ALTER TABLE `concert_dates` ADD COLUMN `sold_out` BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX `concert_dates_concert_id_sold_out_date_idx` ON `concert_dates`(`concert_id`, `sold_out`, `date`);

-- A batch of redeem codes may carry what each code was sold for (in the product currency's
-- minor unit); NULL: the codes are complimentary and their redemptions are not income.
ALTER TABLE redeem_codes ADD COLUMN price_minor INTEGER CHECK (price_minor IS NULL OR price_minor >= 0);

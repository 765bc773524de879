"""Digital events at volume: reading batches, storing them once (COPY into monthly partitions
on PostgreSQL), their effects on presentations and results, the partitions' upkeep, and the
customer's digital interest on the console."""

# The seed's continuous ping writer (Step B of the failover simulation), with
# the loop bounded: --count pings, one every --interval seconds (the seed uses
# 1 s). Stop the leader while it runs (`npx cluster-fixture stop server1`, or
# the test harness does it); the script keeps going.
import argparse
import os
import time
from neo4j import GraphDatabase

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=10)
parser.add_argument("--interval", type=float, default=1.0)
args = parser.parse_args()

URI = os.environ.get("NEO4J_URI", "neo4j://localhost:7687")
AUTH = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "password123"))

driver = GraphDatabase.driver(URI, auth=AUTH)


def work(tx, i):
    tx.run("CREATE (:Ping {id: $i, time: datetime()})", i=i)


i = 0
failures = 0
attempts = 0
# Bounded: at most count + 20 attempts, whatever happens.
while i < args.count and attempts < args.count + 20:
    attempts += 1
    try:
        # execute_write is CRITICAL for failover; it handles retries automatically
        driver.execute_query("CREATE (:Ping {id: $i})", i=i, database_="neo4j")
        print(f"Successfully wrote Ping #{i}", flush=True)
        i += 1
    except Exception as e:
        failures += 1
        print(f"Temporary Error: {e}", flush=True)
    time.sleep(args.interval)

records, _, _ = driver.execute_query("MATCH (p:Ping) RETURN count(p) AS pings", database_="neo4j")
print(f"Pings written: {i}, temporary errors: {failures}, pings in the cluster: {records[0]['pings']}", flush=True)
driver.close()

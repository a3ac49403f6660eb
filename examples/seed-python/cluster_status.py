# The seed's "Check your Cluster Status" and "Step A": which member leads each
# database. Administration commands run against the system database.
import os
from neo4j import GraphDatabase

URI = os.environ.get("NEO4J_URI", "neo4j://localhost:7687")
AUTH = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "password123"))

with GraphDatabase.driver(URI, auth=AUTH) as driver:
    records, _, _ = driver.execute_query(
        "SHOW DATABASES YIELD name, currentStatus, role, address ORDER BY name;",
        database_="system", routing_="r")
    for r in records:
        print(f"{r['name']:<10} {r['currentStatus']:<8} {r['role']:<10} {r['address']}")

    records, _, _ = driver.execute_query(
        "SHOW DATABASES YIELD name, address, role, currentStatus WHERE name = 'neo4j'",
        database_="system", routing_="r")
    primaries = [r["address"] for r in records if r["role"] == "primary"]
    print(f"neo4j is hosted by {len(records)} members; primaries: {', '.join(primaries)}")

    # Neo4j 5 reports role primary/secondary; the leader is the primary whose `writer` is true.
    records, _, _ = driver.execute_query(
        "SHOW DATABASE neo4j YIELD address, writer WHERE writer = true",
        database_="system", routing_="r")
    print(f"leader of neo4j: {', '.join(r['address'] for r in records) or 'none (election in progress)'}")
